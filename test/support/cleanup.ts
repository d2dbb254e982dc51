import { removeTempDirs } from './temp';

// Every test file removes the temporary folders it made, pass or fail.
afterAll(() => removeTempDirs());
