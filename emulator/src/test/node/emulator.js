'use strict';
// Starts the local cloud (LocalCloudMain, as `sandboxctl emulator start` runs it) in a child JVM and tells the
// tests where it listens and which per-run token it wants. Maven passes the JVM and the emulator's classpath.
const {spawn} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const {OAuth2Client} = require('google-auth-library');
const grpc = require('@grpc/grpc-js');
const {Storage} = require('@google-cloud/storage');

const STARTUP_MS = 60_000;

async function startLocalCloud() {
  const classpath = process.env.LOCAL_CLOUD_CLASSPATH;
  if (!classpath) {
    throw new Error('LOCAL_CLOUD_CLASSPATH is not set: run these tests through `./mvnw -pl emulator verify`, '
        + 'which passes the emulator\'s classpath, or set it to the emulator\'s runtime classpath.');
  }
  const java = process.env.LOCAL_CLOUD_JAVA || 'java';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-node-'));
  // Tasks run as local `sh -c FIRST-ARG` processes: the tests' jobs need no image.
  const child = spawn(java, ['-cp', classpath, 'io.sandboxops.emulator.LocalCloudMain', '--data-dir', dataDir,
    '--runner', 'process', '--process-command', 'sh -c', '--project', 'node-project'], {stdio: ['ignore', 'pipe', 'pipe']});
  const stderr = [];
  child.stderr.on('data', chunk => stderr.push(chunk));
  const lines = readline.createInterface({input: child.stdout});
  const seen = {};
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the local cloud did not start within ${STARTUP_MS} ms; `
        + `its stderr: ${Buffer.concat(stderr).toString()}`)), STARTUP_MS);
    child.on('exit', code => {
      clearTimeout(timer);
      reject(new Error(`the local cloud exited (${code}) before it served: ${Buffer.concat(stderr).toString()}`));
    });
    lines.on('line', line => {
      let m;
      if ((m = /^Cloud Run Admin v2 \(gRPC, plaintext\): (\S+):(\d+)$/.exec(line))) {
        seen.grpcHost = m[1];
        seen.grpcPort = Number(m[2]);
      } else if ((m = /^Cloud Storage JSON API \(HTTP\):\s+(\S+)$/.exec(line))) {
        seen.storageHost = m[1];
      } else if ((m = /^project: (\S+)\s+location: (\S+)/.exec(line))) {
        seen.project = m[1];
        seen.location = m[2];
      } else if ((m = /^access token \(this run only\): (\S+)$/.exec(line))) {
        seen.token = m[1];
        clearTimeout(timer);
        resolve();
      }
    });
  });
  try {
    await ready;
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  child.removeAllListeners('exit');
  return {
    ...seen,
    parent: `projects/${seen.project}/locations/${seen.location}`,
    async stop() {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      let timer;
      await Promise.race([exited, new Promise(resolve => {
        timer = setTimeout(resolve, 20_000);
      })]);
      clearTimeout(timer);
      child.kill('SIGKILL');
      fs.rmSync(dataDir, {recursive: true, force: true});
    },
  };
}

/** The per-run token as a fixed OAuth2 access token, as a Node program would hold any access token. */
function tokenClient(cloud) {
  const client = new OAuth2Client();
  client.setCredentials({access_token: cloud.token});
  return client;
}

/**
 * Options for every gRPC client (Run, Logging, Monitoring): the endpoint, a plaintext channel, and the token.
 * gax sends no credentials over a plaintext channel, so the token goes into each call's metadata through
 * grpc-js' call invocation transformer, which gax passes to the channel as it is.
 */
function grpcOptions(cloud) {
  return {
    apiEndpoint: cloud.grpcHost,
    port: cloud.grpcPort,
    projectId: cloud.project,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: tokenClient(cloud),
    'grpc.callInvocationTransformer': props => {
      props.metadata.set('authorization', `Bearer ${cloud.token}`);
      return props;
    },
  };
}

/**
 * A Storage client for the local cloud. With a custom endpoint the Node client sends no credentials of its own on
 * every path (its streaming resumable upload skips them), so the token goes in as a request interceptor, which every
 * request, the upload's included, passes through.
 */
function storageClient(cloud) {
  const storage = new Storage({apiEndpoint: cloud.storageHost, projectId: cloud.project});
  storage.interceptors.push({
    request: reqOpts => ({...reqOpts, headers: {...reqOpts.headers, Authorization: `Bearer ${cloud.token}`}}),
  });
  return storage;
}

module.exports = {startLocalCloud, grpcOptions, storageClient};
