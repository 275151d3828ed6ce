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
