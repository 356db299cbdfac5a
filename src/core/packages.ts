/**
 * Installed npm packages, read from their package.json (not `require.resolve`, which follows
 * `exports` maps and would load nothing heavy anyway). Light on purpose: the runner uses it.
 */
import * as fs from "fs";
import * as path from "path";

export interface InstalledPackage {
  /** The name in its package.json: differs from the requested name for an npm alias. */
  name: string;
  version: string;
  dir: string;
}

/** The package installed under `name` where Node would find it from here, or null. */
export function installedPackage(name: string): InstalledPackage | null {
  for (const base of require.resolve.paths(name) ?? []) {
    const file = path.join(base, name, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name: string; version: string };
      return { name: pkg.name, version: pkg.version, dir: path.dirname(file) };
    }
  }
  return null;
}

/** Version of an installed package, "not installed", or a note that the name is an alias. */
export function packageVersion(name: string): string {
  const pkg = installedPackage(name);
  if (!pkg) return "not installed";
  return pkg.name === name ? pkg.version : `not installed (alias of ${pkg.name})`;
}
