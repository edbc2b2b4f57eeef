// A stand-in for a test run, used by the lifecycle e2e test: runs the e2e global setup (which
// starts a cluster), prints the state file's path, then waits to be killed.
import setup from "./global-setup.js";
import { envVars } from "./state.js";

await setup();
process.stdout.write(`${JSON.stringify({ stateFile: process.env[envVars.state] })}\n`);
setInterval(() => {}, 60_000);
