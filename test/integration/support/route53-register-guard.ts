/**
 * An explicit fake for a moto gap. Route 53 refuses a change batch whose DELETE does not match the
 * record's current values, or whose CREATE names a record that exists; moto 5.2 checks a DELETE
 * against every value the record ever had and accepts a CREATE of an existing record. This guard
 * sits in the SDK's HTTP layer of every region (one shared instance) and answers as Route 53 does for
 * Arbiter's register records (`_arbiter-epoch.*` TXT): the batch is refused whole with
 * InvalidChangeBatch, before it reaches moto. Everything else goes to moto untouched.
 */
import type { FaultRule, RecordedRequest } from './faulty-http-handler';

const changePath = /\/rrset\/?$/;
const change = /<Change><Action>(CREATE|DELETE|UPSERT)<\/Action><ResourceRecordSet><Name>(_arbiter-epoch\.[^<]+)<\/Name><Type>TXT<\/Type>.*?<Value>([^<]*)<\/Value>.*?<\/Change>/g;

export class Route53RegisterGuard {
  /** Register name → its current value, as the batches the guard let through left it. */
  private readonly current = new Map<string, string>();
  /** The request bodies it refused (a refused batch changed nothing). */
  readonly refused = new Set<string>();

  private verdict(body: string): string | null {
    const swaps = [...body.matchAll(change)].map((m) => ({ action: m[1]!, name: m[2]!, value: m[3]! }));
    const next = new Map(this.current);
    for (const s of swaps) {
      const now = next.get(s.name);
      if (s.action === 'DELETE') {
        if (now !== s.value) return `Tried to delete resource record set [name='${s.name}', type='TXT'] but the values provided do not match the current values`;
        next.delete(s.name);
      } else if (s.action === 'CREATE') {
        if (now !== undefined) return `Tried to create resource record set [name='${s.name}', type='TXT'] but it already exists`;
        next.set(s.name, s.value);
      } else {
        next.set(s.name, s.value);
      }
    }
    for (const [name, value] of next) this.current.set(name, value);
    for (const name of [...this.current.keys()]) if (!next.has(name)) this.current.delete(name);
    return null;
  }

  /** The rule to push onto every region's FaultyHttpHandler. */
  rule(): FaultRule {
    let message: string | null = null;
    return {
      times: Number.POSITIVE_INFINITY,
      match: (request: RecordedRequest) => {
        if (request.method !== 'POST' || !changePath.test(request.path) || !request.body.includes('_arbiter-epoch.')) return false;
        message = this.verdict(request.body);
        if (message !== null) this.refused.add(request.body);
        return message !== null;
      },
      respond: () => ({
        statusCode: 400,
        headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>InvalidChangeBatch</Code><Message>[${message ?? ''}]</Message></Error><RequestId>guard</RequestId></ErrorResponse>`,
      }),
    };
  }
}
