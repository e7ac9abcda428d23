// `sendmsg` call-command execute with modesl (npm), as a FreeSWITCH user writes it:
// originate a call that parks, `conn.execute('playback', ...)` on it (modesl waits for
// the CHANNEL_EXECUTE_COMPLETE whose Application-UUID is its Event-UUID), then
// `sendmsg` hangup with a cause. Driven by tests/e2e_esl_calls.rs; prints one JSON
// object per line on stdout.
//
//   node modesl_execute.js HOST PORT PASSWORD DIAL-STRING
'use strict';
const esl = require('modesl');

const [host, port, password, dial] = process.argv.slice(2);

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
  conn.events('plain', ['CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP_COMPLETE'], () => {
    conn.api('originate ' + dial + ' &park()', (res) => {
      const body = res.getBody();
      emit({ kind: 'api', command: 'originate', body });
      const uuid = body.trim().split(' ')[1];
      // Exit once both the hangup and the sendmsg reply are in (either may come first).
      let pending = 2;
      const done = () => {
        pending -= 1;
        if (pending === 0) {
          clearTimeout(timer);
          conn.disconnect();
          process.exit(0);
        }
      };
      conn.on('esl::event::CHANNEL_HANGUP_COMPLETE::' + uuid, (evt) => {
        emit({ kind: 'complete', headers: headersOf(evt) });
        done();
      });
      conn.execute('playback', 'tone_stream://%(300,0,440)', uuid, (evt) => {
        emit({ kind: 'executed', headers: headersOf(evt) });
        conn.sendRecv('sendmsg ' + uuid + '\ncall-command: hangup\nhangup-cause: CALL_REJECTED', (reply) => {
          emit({ kind: 'sendmsg', text: reply.getHeader('Reply-Text') });
          done();
        });
      });
    });
  });
});
conn.on('error', (err) => {
  emit({ kind: 'error', text: String(err) });
  process.exit(1);
});
