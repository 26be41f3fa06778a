/** Setup file of the vitest configurations: the test files' temporary directories go when the file's tests end. */
import { afterAll } from "vitest";
import { removeTempDirs } from "./tempDirs";

afterAll(removeTempDirs);
