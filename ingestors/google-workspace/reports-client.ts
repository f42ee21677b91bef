import type { TimeWindow } from '../contract.js';
import { pathSegment } from '../runtime/http-client.js';
import type { GoogleApi } from './google-api.js';

/** Admin SDK Reports API calls: activities of one application, bounded by time. */
export class ReportsClient {
  constructor(private readonly api: GoogleApi, private readonly options: { pageSize: number; customerId: string }) {}

  /**
   * The activities of `application` whose time is in the window, newest first as Google returns
   * them. Google's `endTime` is inclusive, so the query ends 1 ms before the window does. Page
   * tokens belong to this query only and are never kept beyond it.
   */
  activities(application: string, window: TimeWindow): AsyncIterable<unknown[]> {
    return this.api.pages({
      path: `/admin/reports/v1/activity/users/all/applications/${pathSegment(application)}`,
      query: {
        startTime: new Date(window.since).toISOString(),
        endTime: new Date(Math.max(window.since, window.until - 1)).toISOString(),
        maxResults: this.options.pageSize,
        ...(this.options.customerId === 'my_customer' ? {} : { customerId: this.options.customerId }),
      },
    }, { scope: 'reports' }, 'items');
  }

  /** The newest activity of `application` whose events match Google's `filters` (e.g. `doc_id==<id>`), over the retained history. */
  async latestWith(application: string, filters: string): Promise<Record<string, unknown> | null> {
    const res = await this.api.request<{ items?: Array<Record<string, unknown>> }>({
      path: `/admin/reports/v1/activity/users/all/applications/${pathSegment(application)}`,
      query: { filters, maxResults: 1, ...(this.options.customerId === 'my_customer' ? {} : { customerId: this.options.customerId }) },
    }, { scope: 'reports' });
    return res.body.items?.[0] ?? null;
  }

  /** One small read, to see whether the admin may read the audit logs. */
  probe(): Promise<unknown> {
    return this.api.request({ path: '/admin/reports/v1/activity/users/all/applications/login', query: { maxResults: 1 } }, { scope: 'reports' });
  }
}
