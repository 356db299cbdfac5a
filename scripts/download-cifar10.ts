// Download and extract CIFAR-10 (binary version) into <data-dir>/cifar-10-batches-bin.
// Usage: node dist/scripts/download-cifar10.js [--data-dir data] [--url URL] [--md5 HEX|none]
import { parseArgs } from "util";
import { CIFAR10_MD5, CIFAR10_URL, ensureCifar10 } from "../src/data/download";

const USAGE = `Usage: download-cifar10 [--data-dir DIR] [--url URL] [--md5 HEX|none]
  --data-dir  data root (default: data); the data lands in DIR/cifar-10-batches-bin,
              the archive in DIR/cache/
  --url       archive URL (default: $CIFAR10_URL or ${CIFAR10_URL})
  --md5       expected MD5 of the archive (default: ${CIFAR10_MD5}); "none" skips the check`;

/** Parse flags and run ensureCifar10; resolves to the process exit code (article §5.2). */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string", default: "data" },
      url: { type: "string" },
      md5: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const md5 = values.md5 === undefined ? CIFAR10_MD5 : values.md5 === "none" ? null : values.md5;
  if (md5 !== null && !/^[0-9a-fA-F]{32}$/.test(md5)) throw new Error(`--md5 must be 32 hex digits or "none"; got ${md5}`);
  const result = await ensureCifar10({ dataRoot: values["data-dir"] ?? "data", url: values.url, md5 });
  process.stdout.write(`${result.dir}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`download-cifar10: ${message.replace(/\s*\n\s*/g, " ")}\n`);
      process.exitCode = 1;
    },
  );
}
