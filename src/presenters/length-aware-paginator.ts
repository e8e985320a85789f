/** One page of results and where it sits. */
export interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  perPage: number;
  /** Absolute URL of the listing, without a query string. */
  path: string;
  /** Query parameters every page link carries (Laravel's `withQueryString()`), page excluded. */
  query: Record<string, string>;
}

export interface PageLink {
  url: string | null;
  label: string;
  active: boolean;
}

// Laravel's lang/en/pagination.php labels, HTML entities included as Laravel sends them.
const PREVIOUS = '&laquo; Previous';
const NEXT = 'Next &raquo;';
// The paginator's default `onEachSide`.
const ON_EACH_SIDE = 3;

/**
 * A LengthAwarePaginator returned through a JSON resource collection:
 * `{data, links: {first, last, prev, next}, meta: {current_page, from, last_page, links, path,
 * per_page, to, total}}`, with Laravel's rules for each value.
 */
export function presentPage<T>(page: PageOf<T>) {
  const lastPage = Math.max(Math.ceil(page.total / page.perPage), 1);
  const url = (n: number) => pageUrl(page, n);
  const prev = page.page > 1 ? url(page.page - 1) : null;
  const next = page.page < lastPage ? url(page.page + 1) : null;
  const from = page.items.length > 0 ? (page.page - 1) * page.perPage + 1 : null;
  return {
    data: page.items,
    links: { first: url(1), last: url(lastPage), prev, next },
    meta: {
      current_page: page.page,
      from,
      last_page: lastPage,
      links: [
        { url: prev, label: PREVIOUS, active: false },
        ...pageWindow(page.page, lastPage).map((n): PageLink =>
          n === null ? { url: null, label: '...', active: false } : { url: url(n), label: String(n), active: n === page.page },
        ),
        { url: next, label: NEXT, active: false },
      ],
      path: page.path,
      per_page: page.perPage,
      to: from === null ? null : from + page.items.length - 1,
      total: page.total,
    },
  };
}

/** `path?query&page=n`, encoded as PHP's http_build_query with RFC 3986 (Laravel's Arr::query). */
function pageUrl(page: PageOf<unknown>, n: number): string {
  const parameters = { ...page.query, page: String(Math.max(1, n)) };
  const query = Object.entries(parameters)
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
    .join('&');
  return `${page.path}?${query}`;
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The page numbers Laravel's UrlWindow shows, `null` standing for "...": every page when there
 * are few, otherwise the start, a slider around the current page, and the end.
 */
export function pageWindow(current: number, lastPage: number): (number | null)[] {
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  if (lastPage < ON_EACH_SIDE * 2 + 8) return range(1, lastPage);
  const window = ON_EACH_SIDE + 4;
  const finish = range(lastPage - 1, lastPage);
  if (current <= window) return [...range(1, window + ON_EACH_SIDE), null, ...finish];
  const start = range(1, 2);
  if (current > lastPage - window) return [...start, null, ...range(lastPage - (window + (ON_EACH_SIDE - 1)), lastPage)];
  return [...start, null, ...range(current - ON_EACH_SIDE, current + ON_EACH_SIDE), null, ...finish];
}
