import * as path from 'node:path';

/** The project root, wherever a test file sits below test/. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A minimal Lambda handler, for constructs that need a function to bundle. */
export const HELLO_HANDLER = path.join(__dirname, 'fixtures', 'hello-handler.ts');
