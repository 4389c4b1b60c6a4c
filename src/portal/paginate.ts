import { MAX_PAGE_SIZE, type Page } from "./types.js";

export interface PageQuery {
  _page: number;
  _page_size: number;
}

/**
 * Reads every page of a paged list, following `next_page` until it is null:
 * `ceil(count / pageSize)` requests for `count` items.
 */
export async function paginate<T>(
  fetchPage: (query: PageQuery) => Promise<Page<T>>,
  pageSize: number = MAX_PAGE_SIZE,
): Promise<T[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  const items: T[] = [];
  let page: number | null = 1;
  while (page !== null) {
    const current: Page<T> = await fetchPage({ _page: page, _page_size: pageSize });
    items.push(...current.results);
    // A next_page that does not move forward would loop forever; treat it as a Portal bug.
    if (current.next_page !== null && current.next_page <= page) {
      throw new Error(`Portal answered next_page ${current.next_page} on page ${page}`);
    }
    page = current.next_page;
  }
  return items;
}
