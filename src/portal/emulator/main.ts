// `npm run portal:emulator`: the Portal emulator as a local server (a test and local-run double).
import { parseArgs } from "node:util";
import { DEMO_TOKEN, createPortalEmulator } from "./server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    data: { type: "string" },
  },
});

const port = Number(values.port ?? process.env.PIGELLO_EMULATOR_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got ${values.port ?? process.env.PIGELLO_EMULATOR_PORT}`);
  process.exit(2);
}
const dataFile = values.data ?? process.env.PIGELLO_EMULATOR_DATA;

const emulator = createPortalEmulator(dataFile === undefined ? {} : { state: dataFile });
const url = await emulator.listen(port);
console.log(`Pigello Portal emulator (a test double, not Pigello) listening on ${url}`);
console.log(`  state: ${dataFile ?? "in memory"}`);
console.log(`  PIGELLO_PORTAL_URL=${url}`);
console.log(`  PIGELLO_PORTAL_TOKEN=${DEMO_TOKEN}`);
console.log(`  control surface: ${url}/_control/ (docs/portal.md)`);

const stop = () => {
  void emulator.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
