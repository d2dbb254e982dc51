/**
 * Turns terraform apply/destroy output into a few progress lines: a count every tenth of the plan, and
 * the resources still being created after 30 s (the load balancer), so a 90 s apply never looks stuck.
 */
export interface ApplyProgress {
  /** Feed raw output chunks as they arrive. */
  feed(chunk: string): void;
  summary(): string;
}

export function applyProgress(startedMs: number, print: (line: string) => void, now: () => number = Date.now): ApplyProgress {
  let buffer = '';
  let total: number | undefined;
  let done = 0;
  let lastDecile = 0;
  let verb = 'applied';
  const seconds = () => Math.round((now() - startedMs) / 1000);

  const onLine = (line: string) => {
    const plan = /^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(line);
    if (plan) {
      const [add, change, destroy] = plan.slice(1).map(Number);
      total = add + change + destroy;
      verb = add + change === 0 && destroy > 0 ? 'destroyed' : 'applied';
      print(`plan: ${add} to add, ${change} to change, ${destroy} to destroy`);
      return;
    }
    if (/: (Creation|Modifications|Destruction) complete after /.test(line)) {
      done += 1;
      const decile = total ? Math.floor((done * 10) / total) : 0;
      if (total && decile > lastDecile) {
        lastDecile = decile;
        print(`${done}/${total} ${verb} (${seconds()} s)`);
      }
      return;
    }
    const slow = /^(\S+): Still (creating|destroying)\.\.\. \[(?:(\d+)m)?(\d+)s elapsed\]/.exec(line);
    if (slow) {
      const elapsed = Number(slow[3] ?? 0) * 60 + Number(slow[4]);
      if (elapsed >= 30 && elapsed % 30 === 0) print(`still ${slow[2]} ${slow[1]} (${elapsed} s)`);
    }
  };

  return {
    feed(chunk) {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) onLine(line.trim());
    },
    summary: () => `${done}${total !== undefined ? `/${total}` : ''} resources ${verb} in ${seconds()} s`,
  };
}
