/**
 * Where the project is on disk. Every module that needs a project path takes it from here, so
 * reading a data file never pulls in the engine (core imports nothing of the library).
 */
import * as fs from "fs";
import * as path from "path";

/** The folder with the project's package.json, found upwards from this file (src/ or dist/src/). */
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}: is the runbook installed?`);
  }
}

/** The project root (the folder with package.json). */
export const PROJECT_ROOT = findProjectRoot(__dirname);
