// `for await` over an import job's pages or rows. Each step asks the SDK for one page (`_page`
// checks cursors and errors); leaving the loop early asks for nothing more.

async function* walk(handle, id, limit, signal) {
  let cursor = undefined;
  do {
    const { page, next } = await handle._page(id, limit, cursor, signal);
    yield page;
    cursor = next;
  } while (cursor);
}

// One iteration step, made in one call from Rust (setting two fields from wasm is two calls).
export function step(page, next) {
  return { page, next };
}

export function pages(handle, id, limit, signal) {
  return { [Symbol.asyncIterator]: () => walk(handle, id, limit, signal) };
}

// Rows come from a buffered page without an async generator per row: delegating with
// `yield*` costs several promise turns per row, which over 200,000 rows is most of the time.
export function rows(handle, id, limit, signal) {
  return {
    [Symbol.asyncIterator]() {
      const source = walk(handle, id, limit, signal);
      let buffer = [];
      let i = 0;
      const refill = async () => {
        for (;;) {
          const step = await source.next();
          if (step.done) return step;
          buffer = step.value.videos || [];
          i = 0;
          if (buffer.length) return { value: buffer[i++], done: false };
        }
      };
      return {
        next() {
          return i < buffer.length ? Promise.resolve({ value: buffer[i++], done: false }) : refill();
        },
        return(value) {
          buffer = [];
          return source.return(value);
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
  };
}

// `analyzeStream()`: what the analysis reports, queued until the loop asks for it. The analysis
// runs under the queue's own signal, which the caller's signal and leaving the loop early both
// fire, so its requests stop either way.
export function eventQueue(callerSignal, onProgress) {
  const controller = new AbortController();
  if (callerSignal) {
    const stop = () => controller.abort(callerSignal.reason);
    if (callerSignal.aborted) stop();
    else callerSignal.addEventListener('abort', stop, { once: true });
  }
  const items = [];
  let end = null;
  let wake = null;
  const notify = () => {
    if (wake) {
      const w = wake;
      wake = null;
      w();
    }
  };
  const finish = (how) => {
    if (!end) end = how;
    notify();
  };
  const iterator = {
    async next() {
      for (;;) {
        if (items.length) return { value: items.shift(), done: false };
        if (end) {
          const { error } = end;
          end = { done: true };
          if (error !== undefined) throw error;
          return { value: undefined, done: true };
        }
        await new Promise((resolve) => (wake = resolve));
      }
    },
    async return(value) {
      items.length = 0;
      finish({ done: true });
      controller.abort();
      return { value, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return {
    signal: controller.signal,
    push: (item) => {
      if (!end) {
        items.push(item);
        notify();
      }
      if (onProgress) {
        try {
          onProgress(item);
        } catch {
          // A throwing callback must not break the analysis.
        }
      }
    },
    settle(promise) {
      promise.then(
        (results) => {
          if (!end) items.push({ type: 'results', results });
          finish({ done: true });
        },
        (error) => finish({ error }),
      );
    },
    fail: (error) => finish({ error }),
    iterable: { [Symbol.asyncIterator]: () => iterator },
  };
}
