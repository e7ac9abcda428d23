// Event socket test client on modesl (npm), as a FreeSWITCH user would write it.
// Driven by tests/e2e_esl.rs; prints one JSON object per line on stdout.
//
//   node modesl_filter.js HOST PORT PASSWORD CALLER-NUMBER
//
// Adds `filter Caller-Caller-ID-Number <number>`, subscribes to CHANNEL_CREATE and
// CHANNEL_HANGUP_COMPLETE (modesl adds BACKGROUND_JOB itself), runs `bgapi status`
// (modesl filters on the Job-UUID once filters are in use), says "ready", and exits
// after the first CHANNEL_HANGUP_COMPLETE that passes the filter.
'use strict';
const esl = require('modesl');

const [host, port, password, number] = process.argv.slice(2);

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function headersOf(evt) {
  const out = {};
  for (const h of evt.headers) out[h.name] = h.value;
  return out;
}

const timer = setTimeout(() => {
  emit({ kind: 'timeout' });
  process.exit(2);
}, 30000);

const conn = new esl.Connection(host, Number(port), password, () => {
  conn.on('esl::event::CHANNEL_CREATE::*', (evt) => {
    emit({ kind: 'event', headers: headersOf(evt) });
  });
  conn.on('esl::event::CHANNEL_HANGUP_COMPLETE::*', (evt) => {
    emit({ kind: 'event', headers: headersOf(evt) });
    clearTimeout(timer);
    conn.disconnect();
    process.exit(0);
  });
  conn.filter('Caller-Caller-ID-Number', number, (reply) => {
    emit({ kind: 'reply', text: reply.getHeader('Reply-Text') });
    conn.events('plain', ['CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE'], (reply2) => {
      emit({ kind: 'reply', text: reply2.getHeader('Reply-Text') });
      conn.bgapi('status', (job) => {
        emit({ kind: 'bgapi', headers: headersOf(job), body: job.getBody() });
        emit({ kind: 'ready' });
      });
    });
  });
});
conn.on('error', (err) => {
  emit({ kind: 'error', text: String(err) });
  process.exit(1);
});
