/** One page of a list and where the next one starts (absent or null on the last page). */
export interface PageOf<T> {
  items: T[];
  nextCursor?: string | null | undefined;
}

/**
 * Walks a paginated list page by page, following `nextCursor`, and yields each item:
 * `for await (const s of client.streams.all()) ...`. Stops after the last page.
 */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    const next = page.nextCursor ?? undefined;
    // A server answering the same cursor again would loop forever: stop instead.
    if (next !== undefined && next === cursor) return;
    cursor = next;
  } while (cursor !== undefined);
}
