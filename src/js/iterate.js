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

export function rows(handle, id, limit, signal) {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const page of walk(handle, id, limit, signal)) {
        yield* page.videos || [];
      }
    },
  };
}
