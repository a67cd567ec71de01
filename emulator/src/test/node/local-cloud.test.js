'use strict';
// Google's official Node.js clients against the local cloud, with the settings a Node program would use.
const {test, before, after} = require('node:test');
const assert = require('node:assert/strict');
const {JobsClient, ExecutionsClient, TasksClient} = require('@google-cloud/run').v2;
const {Logging} = require('@google-cloud/logging');
const monitoring = require('@google-cloud/monitoring');
const {startLocalCloud, grpcOptions, storageClient} = require('./emulator');

let cloud;

before(async () => {
  cloud = await startLocalCloud();
});

after(async () => {
  if (cloud) {
    await cloud.stop();
  }
});

test('storage: save() with default options streams a resumable upload; ranged download, list, compose, patch, delete', async () => {
  const storage = storageClient(cloud);
  const [bucket] = await storage.createBucket('node-bucket');
  const file = bucket.file('notes/hello.txt');
  // The default save(): a resumable upload that streams with Content-Range: bytes 0-*/*.
  await file.save('hello from node');
  const [whole] = await file.download();
  assert.equal(whole.toString(), 'hello from node');
  const [ranged] = await file.download({start: 6, end: 9});
  assert.equal(ranged.toString(), 'from');

  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  await bucket.file('notes/big.bin').save(big);
  const [bigBack] = await bucket.file('notes/big.bin').download();
  assert.ok(bigBack.equals(big));

  await bucket.file('empty.txt').save('');
  const [empty] = await bucket.file('empty.txt').download();
  assert.equal(empty.length, 0);

  const [files] = await bucket.getFiles({prefix: 'notes/'});
  assert.deepEqual(files.map(f => f.name).sort(), ['notes/big.bin', 'notes/hello.txt']);

  await bucket.file('part-1').save('abc', {resumable: false});
  await bucket.file('part-2').save('def', {resumable: false});
  const [composed] = await bucket.combine(['part-1', 'part-2'], 'whole');
  const [composedBytes] = await composed.download();
  assert.equal(composedBytes.toString(), 'abcdef');

  const [patched] = await bucket.setMetadata({labels: {team: 'sandbox'}});
  assert.deepEqual(patched.labels, {team: 'sandbox'});
  const [read] = await bucket.getMetadata();
  assert.equal(read.labels.team, 'sandbox');

  await file.delete();
  const [exists] = await file.exists();
  assert.equal(exists, false);
});

test('run: jobs are created, listed, read and run; executions and tasks are listed', async () => {
  const options = grpcOptions(cloud);
  const jobs = new JobsClient(options);
  const executions = new ExecutionsClient(options);
  const tasks = new TasksClient(options);
  try {
    const [create] = await jobs.createJob({
      parent: cloud.parent,
      jobId: 'node-job',
      job: {template: {taskCount: 2, template: {maxRetries: 0, containers: [{image: 'busybox', args: ['echo task $CLOUD_RUN_TASK_INDEX']}]}}},
    });
    const [job] = await create.promise();
    assert.equal(job.name, `${cloud.parent}/jobs/node-job`);

    const [listed] = await jobs.listJobs({parent: cloud.parent});
    assert.ok(listed.some(j => j.name === job.name));
    const [got] = await jobs.getJob({name: job.name});
    assert.equal(got.template.taskCount, 2);

    const [run] = await jobs.runJob({name: job.name});
    const [execution] = await run.promise();
    assert.equal(execution.succeededCount, 2);

    const [executionList] = await executions.listExecutions({parent: job.name});
    assert.deepEqual(executionList.map(e => e.name), [execution.name]);
    const [taskList] = await tasks.listTasks({parent: execution.name});
    assert.deepEqual(taskList.map(t => t.index), [0, 1]);
    const [task] = await tasks.getTask({name: taskList[1].name});
    assert.equal(task.lastAttemptResult.exitCode, 0);

    // A stale etag is a concurrent change: ABORTED (10).
    await assert.rejects(jobs.runJob({name: job.name, etag: '"stale"'}), e => e.code === 10);

    const [del] = await jobs.deleteJob({name: job.name});
    await del.promise();
    await assert.rejects(jobs.getJob({name: job.name}), e => e.code === 5);
  } finally {
    await Promise.all([jobs.close(), executions.close(), tasks.close()]);
  }
});

test('logging: entries are written and read back with a filter', async () => {
  const logging = new Logging(grpcOptions(cloud));
  const log = logging.log('node-log');
  await log.write(log.entry({resource: {type: 'global'}, severity: 'WARNING'}, {message: 'from node', n: 1}));
  const [entries] = await logging.getEntries({
    resourceNames: [`projects/${cloud.project}`],
    filter: 'logName="projects/node-project/logs/node-log" AND severity>=WARNING AND jsonPayload.message="from node"',
  });
  assert.equal(entries.length, 1);
  assert.equal(entries[0].data.n, 1);
});

test('monitoring: job metrics are read; alignment periods under a minute are refused', async () => {
  const metrics = new monitoring.MetricServiceClient(grpcOptions(cloud));
  try {
    const end = Math.floor(Date.now() / 1000) + 1;
    const request = {
      name: `projects/${cloud.project}`,
      filter: 'metric.type="run.googleapis.com/job/completed_execution_count" AND resource.labels.job_name="node-job"',
      interval: {startTime: {seconds: end - 600}, endTime: {seconds: end}},
      aggregation: {alignmentPeriod: {seconds: 600}, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM'},
    };
    // The run test's job was deleted: its execution still counts, as in Cloud Monitoring.
    const [series] = await metrics.listTimeSeries(request);
    assert.equal(series.length, 1);
    assert.equal(Number(series[0].points[0].value.int64Value), 1);

    await assert.rejects(metrics.listTimeSeries({...request, aggregation: {...request.aggregation, alignmentPeriod: {seconds: 30}}}),
        e => e.code === 3 && /at least 60 seconds/.test(e.message));
  } finally {
    await metrics.close();
  }
});
