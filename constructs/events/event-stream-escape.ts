/**
 * Quoting for user-given text (journey step names are free text) placed in generated SQL, CloudWatch
 * search expressions and Terraform strings. cdktf writes strings as they are, and Terraform reads
 * `${` and `%{` in them as interpolation, so literal text must double the `$` / `%`.
 */
export const terraformLiteral = (text: string): string => text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');

/** A SQL string literal (Athena/Trino): single quotes doubled. */
export const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A SQL identifier in double quotes. */
export const sqlIdentifier = (text: string): string => `"${text.replace(/"/g, '""')}"`;

/** A value in a CloudWatch SEARCH term (`Step="..."`), itself inside SEARCH('...'): backslash-escape both quotes. */
export const searchValue = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/'/g, "\\'")}"`;
