// A hostile server, in Node and in a Chromium page: every answer a method can get that is not
// the shape the protocol promises (a null, number, string or list root where an object comes, an
// object where a list comes, text that is not JSON, 100,000-deep nesting) must reject with a
// NomadicMLError, never resolve as a result, never throw synchronously, never leave the promise
// unsettled; an error answer of 5 MB keeps its body whole but its message short, and
// `JSON.stringify(error)` works; an echo of the key, however escaped, is found nowhere.
// The answers come from the client's `fetch` option, so no server is needed.

export async function hostileServer({ NomadicClient, NomadicMLError }) {
  const key = 'sk-hostile-7f3a9c';
  const deep = '['.repeat(100000) + ']'.repeat(100000);
  const answer = (status, body, headers = {}) => () => new Response(body, { status, headers: { 'Content-Type': 'application/json', ...headers } });
  const client = (respond) => new NomadicClient({ apiKey: key, baseUrl: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => respond() });
  const file = new File([new Uint8Array([0, 0, 0, 24, 102, 116, 121, 112])], 'x.mp4', { type: 'video/mp4' });
  // Each method with what its answer must be (an object or a list), and for some an answer with
  // a field Rust reads holding the wrong type.
  const methods = {
    verifyAuth: [(c) => c.verifyAuth(), 'object'],
    myVideos: [(c) => c.myVideos(), 'object', '{"videos": "none"}'],
    getFolder: [(c) => c.getFolder('f'), 'object'],
    createFolder: [(c) => c.createFolder('f'), 'object'],
    deleteVideo: [(c) => c.deleteVideo('v1'), 'object'],
    getVideoUrl: [(c) => c.getVideoUrl('v1'), 'object'],
    'upload(url)': [(c) => c.upload('https://example.com/a.mp4', { waitForUploaded: false }), 'object'],
    getImportJob: [(c) => c.video.getImportJob('ij1'), 'object'],
    getBatchAnalysis: [(c) => c.getBatchAnalysis('b1'), 'object', '{"videos": 5}'],
    'analyze (ASK)': [(c) => c.analyze('v1', { analysisType: 'rapid_review', customEvent: 'x', waitForCompletion: false }), 'object'],
    search: [(c) => c.search('q', { folderName: 'f' }), 'object'],
    'cloudIntegrations.list': [(c) => c.cloudIntegrations.list(), 'list'],
  };
  const bodies = { null: 'null', number: '42', string: '"ok"', 'not JSON': '<html>oops</html>', 'deep nesting': deep };
  const rows = [];
  // The body a server sent may be nested too deep for JSON.stringify: that is its data.
  const show = (v, max = 80) => {
    try {
      return String(JSON.stringify(v)).slice(0, max);
    } catch (e) {
      return `a value JSON cannot write (${e.message})`;
    }
  };
  const settle = (p) => Promise.race([p.then((v) => ({ resolved: v }), (e) => ({ rejected: e })), new Promise((r) => setTimeout(() => r({ unsettled: true }), 5000))]);
  for (const [name, [call, shape, wrongField]] of Object.entries(methods)) {
    const cases = { ...bodies, [shape === 'object' ? 'a list' : 'an object']: shape === 'object' ? '[{"id": 1}]' : '{"id": 1}' };
    if (wrongField) cases['a field of the wrong type'] = wrongField;
    for (const [what, body] of Object.entries(cases)) {
      let outcome;
      try {
        outcome = await settle(call(client(answer(200, body))));
      } catch (e) {
        outcome = { threw: e };
      }
      const ok = outcome.rejected instanceof NomadicMLError;
      rows.push({ case: `${name} answered with ${what}`, ok, got: ok ? outcome.rejected.code : outcome.unsettled ? 'unsettled' : outcome.threw ? `threw ${outcome.threw}` : `resolved ${show(outcome.resolved)}` });
    }
  }
  // A field Rust reads holding the wrong type: the message names the kind of value it found and
  // never writes the value itself (here the key, which redaction would otherwise have to catch).
  for (const [what, body, want] of [
    ['a string', `{"videos": [], "has_more": "${key}"}`, 'invalid type: a string, expected a boolean'],
    ['a fraction', '{"videos": [], "has_more": true, "next_cursor": 1.5}', 'invalid type: a number, expected a string'],
  ]) {
    const pages = async () => {
      for await (const _ of client(answer(200, body)).video.importJobPages('ij1'));
    };
    const e = (await settle(pages())).rejected;
    const message = e instanceof NomadicMLError ? e.message : String(e);
    const ok = message === `unexpected answer from the server: ${want}`;
    rows.push({ case: `importJobPages answered with ${what} where a cursor field goes`, ok, got: message });
  }
  // Error answers: a 5 MB body, a deeply nested one, and echoes of the key.
  const big = JSON.stringify({ detail: 'x'.repeat(5 * 1024 * 1024) });
  const errorCases = {
    'a 5 MB error body': [500, big, {}],
    'a deeply nested error body': [400, deep, {}],
    'the key echoed in a message': [401, JSON.stringify({ detail: `bad key ${key}` }), {}],
    'the key echoed escaped as \\u': [401, `{"detail": "bad key \\u0073\\u006b-hostile-7f3a9c"}`, {}],
    'the key echoed with an escaped slash': [400, `{"detail": "see /keys\\/${key}"}`, {}],
    'the key echoed in X-Request-ID': [500, '{"detail": "x"}', { 'X-Request-ID': key }],
  };
  for (const [what, [status, body, headers]] of Object.entries(errorCases)) {
    const outcome = await settle(client(answer(status, body, headers)).myVideos());
    const e = outcome.rejected;
    let problem = null;
    if (!(e instanceof NomadicMLError)) problem = 'not a NomadicMLError';
    else {
      let json = '';
      try {
        json = JSON.stringify(e);
      } catch (err) {
        problem = `JSON.stringify threw ${err}`;
      }
      const seen = [e.message, String(e.stack), json, typeof e.body === 'string' ? e.body : show(e.body, Infinity), String(e.requestId)].join('\n');
      if (e.message.length > 1200) problem = `message of ${e.message.length} characters`;
      else if (seen.includes(key) || seen.includes('hostile-7f3a9c')) problem = 'the key is visible';
      else if (what === 'a 5 MB error body' && show(e.body, Infinity).length < 5 * 1024 * 1024) problem = 'the body was not kept whole';
    }
    rows.push({ case: `an error answer: ${what}`, ok: !problem, got: problem ?? e.code });
  }
  return rows;
}
