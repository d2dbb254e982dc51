/**
 * AWS Lambda's runtime calendar: when each managed runtime is deprecated (no more security patches or support) and
 * from when AWS blocks creating, then updating, functions that use it. Local AWS (moto) accepts any runtime, so
 * MONO-LAMBDA-3 (`lambdaRuntimeCalendar`) holds stacks to this table offline.
 *
 * Source: AWS Lambda Developer Guide, "Lambda runtimes"
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), supported and deprecated runtime tables, and
 * the same tables on the per-language pages it links (lambda-nodejs, lambda-python, lambda-java, lambda-csharp,
 * lambda-ruby, runtimes-provided). Read 2026-11-29, from stored copies of those pages (not the live site).
 * AWS moves these dates (nodejs20.x's block-create went from 2026-06-01 to 2026-08-31), so re-read the page when
 * you add a runtime or when a date comes near, and update the date above.
 *
 * Dates are UTC days, `YYYY-MM-DD`; a missing date is "Not scheduled" (or "N/A" for container-only runtimes).
 * - Supported runtimes: from the pages' supported tables. Copies of different ages disagree on some block dates;
 *   the latest date an AWS copy shows is used, as AWS moves them later: dotnet8 (2026-12-10 / 2027-01-11 before)
 *   and provided.al2 (2026-07-31 / 2026-08-31, then 2026-08-31 / 2026-09-30 before).
 * - nodejs18.x and python3.9: from an earlier copy of the Node.js and Python pages, before they moved to the
 *   deprecated table.
 * - Runtimes retired in 2016-2020 (nodejs, nodejs4.3, nodejs6.10, nodejs8.10, dotnetcore1.0, dotnetcore2.0): from
 *   the deprecation schedule of the older "Runtime support policy" page (docs.aws.amazon.com/lambda/latest/dg/
 *   runtime-support-policy.html).
 * - The other deprecated runtimes: deprecation dates from the deprecated table; their block dates are those of the
 *   page in early 2025 and could not be re-read. Every AWS copy seen has them in the past. (One third-party table,
 *   "checked Oct 2026", lists 2027-07-29 / 2027-08-31 as block dates of nodejs20.x and of most deprecated runtimes;
 *   no AWS copy confirmed it. If the live page says so, update them: the rule would then warn instead of fail.)
 */
export interface LambdaRuntime {
  /** The page's name, e.g. "Node.js 22". */
  readonly name: string;
  /** Deprecation date: no security patches or support from this day. */
  readonly deprecated?: string;
  /** From this day AWS refuses CreateFunction with the runtime. */
  readonly blockCreate?: string;
  /** From this day AWS refuses updating functions that use the runtime. */
  readonly blockUpdate?: string;
}

const runtime = (name: string, deprecated?: string, blockCreate?: string, blockUpdate?: string): LambdaRuntime => ({
  name,
  deprecated,
  blockCreate,
  blockUpdate,
});

/** Every Lambda runtime identifier AWS lists, with its dates. */
export const LAMBDA_RUNTIMES: Readonly<Record<string, LambdaRuntime>> = {
  // Node.js
  'nodejs24.x': runtime('Node.js 24', '2028-04-30', '2028-06-01', '2028-07-01'),
  'nodejs22.x': runtime('Node.js 22', '2027-04-30', '2027-06-01', '2027-07-01'),
  'nodejs20.x': runtime('Node.js 20', '2026-04-30', '2026-08-31', '2026-09-30'),
  'nodejs18.x': runtime('Node.js 18', '2025-09-01', '2026-02-03', '2026-03-09'),
  'nodejs16.x': runtime('Node.js 16', '2024-06-12', '2025-02-28', '2025-03-31'),
  'nodejs14.x': runtime('Node.js 14', '2023-12-04', '2024-01-09', '2025-02-28'),
  'nodejs12.x': runtime('Node.js 12', '2023-03-31', '2023-03-31', '2023-04-30'),
  'nodejs10.x': runtime('Node.js 10', '2021-07-30', '2021-07-30', '2022-02-14'),
  'nodejs8.10': runtime('Node.js 8.10', '2019-12-31', '2020-01-06', '2020-02-03'),
  'nodejs6.10': runtime('Node.js 6.10', '2019-04-30', '2019-04-30', '2019-08-12'),
  'nodejs4.3': runtime('Node.js 4.3', '2018-04-30', '2018-12-15', '2019-04-30'),
  'nodejs4.3-edge': runtime('Node.js 4.3 edge', '2018-04-30', '2018-12-15', '2019-04-30'),
  nodejs: runtime('Node.js 0.10', '2016-10-31', '2016-10-31', '2016-10-31'),
  // Python
  'python3.14': runtime('Python 3.14', '2029-06-30', '2029-07-31', '2029-08-31'),
  'python3.13': runtime('Python 3.13', '2029-06-30', '2029-07-31', '2029-08-31'),
  'python3.12': runtime('Python 3.12', '2028-10-31', '2028-11-30', '2029-01-10'),
  'python3.11': runtime('Python 3.11', '2027-06-30', '2027-07-31', '2027-08-31'),
  'python3.10': runtime('Python 3.10', '2026-10-31', '2026-11-30', '2027-01-15'),
  'python3.9': runtime('Python 3.9', '2025-12-15', '2026-02-03', '2026-03-09'),
  'python3.8': runtime('Python 3.8', '2024-10-14', '2025-02-28', '2025-03-31'),
  'python3.7': runtime('Python 3.7', '2023-12-04', '2024-01-09', '2025-02-28'),
  'python3.6': runtime('Python 3.6', '2022-07-18', '2022-07-18', '2022-08-29'),
  'python2.7': runtime('Python 2.7', '2021-07-15', '2021-07-15', '2022-05-30'),
  // Java
  java25: runtime('Java 25', '2029-06-30', '2029-07-31', '2029-08-31'),
  java21: runtime('Java 21', '2029-06-30', '2029-07-31', '2029-08-31'),
  java17: runtime('Java 17', '2027-06-30', '2027-07-31', '2027-08-31'),
  java11: runtime('Java 11', '2027-06-30', '2027-07-31', '2027-08-31'),
  'java8.al2': runtime('Java 8', '2027-06-30', '2027-07-31', '2027-08-31'),
  java8: runtime('Java 8 (Amazon Linux)', '2024-01-08', '2024-02-08', '2025-02-28'),
  // .NET
  dotnet10: runtime('.NET 10', '2028-11-14', '2028-12-14', '2029-01-15'),
  dotnet9: runtime('.NET 9 (container only)', '2026-11-10'),
  dotnet8: runtime('.NET 8', '2026-11-10', '2027-02-01', '2027-03-03'),
  dotnet7: runtime('.NET 7 (container only)', '2024-05-14'),
  dotnet6: runtime('.NET 6', '2024-12-20', '2025-02-28', '2025-03-31'),
  'dotnet5.0': runtime('.NET 5 (container only)', '2022-05-10'),
  'dotnetcore3.1': runtime('.NET Core 3.1', '2023-04-03', '2023-04-03', '2023-05-03'),
  'dotnetcore2.1': runtime('.NET Core 2.1', '2022-01-05', '2022-01-05', '2022-04-13'),
  'dotnetcore2.0': runtime('.NET Core 2.0', '2019-04-30', '2019-04-30', '2019-05-30'),
  'dotnetcore1.0': runtime('.NET Core 1.0', '2019-06-27', '2019-06-27', '2019-07-31'),
  // Ruby
  'ruby4.0': runtime('Ruby 4.0', '2029-03-31', '2029-04-30', '2029-05-31'),
  'ruby3.4': runtime('Ruby 3.4', '2028-03-31', '2028-04-30', '2028-05-31'),
  'ruby3.3': runtime('Ruby 3.3', '2027-03-31', '2027-04-30', '2027-05-31'),
  'ruby3.2': runtime('Ruby 3.2', '2026-03-31', '2026-08-31', '2026-09-30'),
  'ruby2.7': runtime('Ruby 2.7', '2023-12-07', '2024-01-09', '2025-02-28'),
  'ruby2.5': runtime('Ruby 2.5', '2021-07-30', '2021-07-30', '2022-03-31'),
  // OS-only (custom runtimes, Go, Rust, ...)
  'provided.al2023': runtime('OS-only Runtime (Amazon Linux 2023)', '2029-06-30', '2029-07-31', '2029-08-31'),
  'provided.al2': runtime('OS-only Runtime (Amazon Linux 2)', '2026-07-31', '2027-02-01', '2027-03-03'),
  provided: runtime('OS-only Runtime (Amazon Linux)', '2024-01-08', '2024-02-08', '2025-02-28'),
  'go1.x': runtime('Go 1.x', '2024-01-08', '2024-02-08', '2025-02-28'),
};

/**
 * The runtimes hashicorp/aws 5.100.0 (the provider monoenv pins) accepts for aws_lambda_function `runtime` and
 * aws_lambda_layer_version `compatible_runtimes`: `terraform validate` refuses any other with "expected runtime to be
 * one of [...]". Copied from that error message (Terraform 1.11.4, provider 5.100.0), 2026-11-29. Newer runtimes
 * (nodejs24.x, python3.14, java25, dotnet10, ruby4.0) need a newer provider.
 */
export const AWS_PROVIDER_5_100_RUNTIMES: readonly string[] = [
  'nodejs',
  'nodejs4.3',
  'nodejs6.10',
  'nodejs8.10',
  'nodejs10.x',
  'nodejs12.x',
  'nodejs14.x',
  'nodejs16.x',
  'java8',
  'java8.al2',
  'java11',
  'python2.7',
  'python3.6',
  'python3.7',
  'python3.8',
  'python3.9',
  'dotnetcore1.0',
  'dotnetcore2.0',
  'dotnetcore2.1',
  'dotnetcore3.1',
  'dotnet6',
  'dotnet8',
  'nodejs4.3-edge',
  'go1.x',
  'ruby2.5',
  'ruby2.7',
  'provided',
  'provided.al2',
  'nodejs18.x',
  'python3.10',
  'java17',
  'ruby3.2',
  'ruby3.3',
  'ruby3.4',
  'python3.11',
  'nodejs20.x',
  'provided.al2023',
  'python3.12',
  'java21',
  'python3.13',
  'nodejs22.x',
];
