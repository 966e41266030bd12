/**
 * The server compiled once per test run, for the tests that start it as a child process — with
 * the build `npm start` uses (scripts/build-server.mjs), into a folder of the test run's own.
 *
 * `tsx` compiles nothing twice (it caches), but its loader hooks sit in front of every module a
 * process loads, node_modules included: measured here, a process that loads the app and stops at
 * configuration costs ~2.9 s of CPU through `node --import tsx` and ~1.0 s as plain JavaScript.
 */
export { buildServer, ROOT } from '../../scripts/build-server.mjs';
