/**
 * How moto_server is started: through Python with two fixes to moto, when the `python3` here has moto.
 *
 * moto 5.2's TransactWriteItems deep-copies every table it touches, once per item of the transaction, so that it
 * can roll back. A transaction's cost grows with the table: 3 ms on an empty table, 660 ms for 6 items on a table of
 * 6,000 items. Local production's journey processor writes each event in a transaction to the analytics table, which
 * keeps a dedupe marker per event, so the local AWS slowed down as a demo ran (about 1 s per shopper after a few
 * hundred) and stalled the flag API past its clients' timeouts. The fix backs up only the items the transaction
 * touches and restores them when it is cancelled: all or nothing as before, at a cost that does not grow with the
 * table. Kinesis has the same shape of problem: each record put copies the shard's list of sequence numbers, and
 * each read scans the shard from its first record, so the stream slowed down as events piled up (a load of 200,000
 * events stalled after 85,000). The fix takes the newest number directly and reads on from the last one read. Each
 * fix is applied only where moto's code is as expected; otherwise moto runs as it comes. With the transaction fix,
 * table reads and writes are serialized, as DynamoDB serializes transactions: moto serves each request in its own
 * thread with no locks, so two concurrent transactions could both pass their conditions and both write.
 *
 * Written by hand because moto has no setting for it; it is a patch to moto, kept as small as possible.
 */
import { spawnSync } from 'node:child_process';

const LAUNCHER = String.raw`
import copy, sys, threading

def patch_transactions():
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    needed = [hasattr(models, "copy"), hasattr(DynamoDBBackend, "get_keys_value"),
              hasattr(Table, "get_item"), hasattr(Table, "delete_item")]
    if not all(needed):
        return "moto's DynamoDB code is not as expected"
    in_transaction = threading.local()

    class CopyExceptTablesInTransactions:
        def __getattr__(self, name):
            return getattr(copy, name)

        def deepcopy(self, value, memo=None):
            if getattr(in_transaction, "on", False) and isinstance(value, Table):
                return value  # the touched items are backed up instead
            return copy.deepcopy(value, memo)

    def restore(table, hash_value, range_value, item):
        table.delete_item(hash_value, range_value)
        if item is None:
            return
        if range_value is None:
            table.items[hash_value] = item
        else:
            table.items[hash_value][range_value] = item

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        backups, seen = [], set()
        for entry in transact_items:
            try:
                op = next(iter(entry.values()))
                table = self.get_table(op["TableName"])
                key = op.get("Key")
                if key is None:
                    item = op["Item"]
                    key = {table.hash_key_attr: item[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = item[table.range_key_attr]
                hash_value, range_value = self.get_keys_value(table, key)
                if (op["TableName"], hash_value, range_value) in seen:
                    continue
                seen.add((op["TableName"], hash_value, range_value))
                backups.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
            except Exception:
                continue  # an item moto refuses is refused before it writes anything
        in_transaction.on = True
        try:
            return original(self, transact_items)
        except BaseException:
            for backup in reversed(backups):
                restore(*backup)
            raise
        finally:
            in_transaction.on = False

    models.copy = CopyExceptTablesInTransactions()
    DynamoDBBackend.transact_write_items = transact_write_items
    serialize_table_access(DynamoDBBackend)
    return None

def serialize_table_access(backend_class):
    # moto's server serves each request in a thread of its own and its tables have no locks, so two transactions
    # could both pass their conditions and both write (a schedule fired twice). DynamoDB serializes them: so does this.
    lock = threading.RLock()

    def locked(method):
        def run(self, *args, **kwargs):
            with lock:
                return method(self, *args, **kwargs)
        return run

    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item",
                 "get_item", "query", "scan", "transact_get_items", "batch_get_item"):
        if hasattr(backend_class, name):
            setattr(backend_class, name, locked(getattr(backend_class, name)))

def patch_kinesis_reads():
    from moto.kinesis.models import Shard
    if not all(hasattr(Shard, name) for name in ("get_min_sequence_number", "get_max_sequence_number", "get_records")):
        return "moto's Kinesis code is not as expected"

    def get_min_sequence_number(self):
        return next(iter(self.records)) if self.records else 0

    def get_max_sequence_number(self):
        return next(reversed(self.records)) if self.records else 0

    original_get_records = Shard.get_records

    def get_records(self, last_sequence_id, limit):
        # A shard's sequence numbers count up by one, so reading on from the last one read needs no scan.
        after = int(last_sequence_id)
        if after + 1 not in self.records:
            return original_get_records(self, last_sequence_id, limit)
        results, number = [], after + 1
        while number in self.records and (not limit or len(results) < limit):
            results.append(self.records[number])
            number += 1
        newest = self.records[next(reversed(self.records))]
        return results, number - 1, int((newest.created_at - results[-1].created_at) * 1000)

    Shard.get_min_sequence_number = get_min_sequence_number
    Shard.get_max_sequence_number = get_max_sequence_number
    Shard.get_records = get_records
    return None

for patch, slows in ((patch_transactions, "its transactions slow down as tables grow"),
                     (patch_kinesis_reads, "its streams slow down as records pile up")):
    try:
        problem = patch()
    except Exception as error:
        problem = repr(error)
    if problem:
        print("monoenv: moto runs unpatched, so %s (%s)" % (slows, problem), file=sys.stderr)

from moto.server import main
main(sys.argv[1:])
`;

export interface MotoLaunch {
  readonly command: string;
  readonly args: readonly string[];
  /** Whether moto runs with the transaction fix (python3 with the launcher). */
  readonly patched: boolean;
  /** How it was chosen, for error messages. */
  readonly description: string;
}

let found: MotoLaunch | undefined;

/**
 * MONOENV_MOTO_SERVER when set (run as given); else `python3` (or MONOENV_MOTO_PYTHON) with the launcher above
 * when it can import moto; else `moto_server` on the PATH, unpatched (e.g. moto installed with pipx).
 */
export function motoLaunch(env: NodeJS.ProcessEnv = process.env): MotoLaunch {
  if (env.MONOENV_MOTO_SERVER)
    return { command: env.MONOENV_MOTO_SERVER, args: [], patched: false, description: `MONOENV_MOTO_SERVER (${env.MONOENV_MOTO_SERVER})` };
  if (env === process.env && found) return found;
  const python = env.MONOENV_MOTO_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("moto.server") else 1)'], {
    stdio: 'ignore',
    timeout: 20000,
  });
  const launch =
    probe.status === 0
      ? { command: python, args: ['-c', LAUNCHER], patched: true, description: `${python} with moto` }
      : { command: 'moto_server', args: [], patched: false, description: 'moto_server on the PATH' };
  if (env === process.env) found = launch;
  return launch;
}
