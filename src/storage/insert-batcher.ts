interface Pending<Row> {
  row: Row;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: rows added during one turn of the event loop are written by one multi-row
 * INSERT (one SQLite commit, one PostgreSQL round trip). Each caller's promise settles only
 * after its row is committed, so an acknowledged token is as durable as with single inserts.
 * If a batch fails (a duplicate id, say), its rows are retried one by one so that only the
 * faulty row's caller sees the error.
 */
export class InsertBatcher<Row> {
  private pending: Pending<Row>[] = [];
  private scheduled = false;

  constructor(
    private readonly write: (rows: Row[]) => Promise<void>,
    private readonly maxBatch = 200,
  ) {}

  add(row: Row): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (let start = 0; start < batch.length; start += this.maxBatch) {
      await this.writeChunk(batch.slice(start, start + this.maxBatch));
    }
  }

  private async writeChunk(chunk: Pending<Row>[]): Promise<void> {
    try {
      await this.write(chunk.map((entry) => entry.row));
      for (const entry of chunk) entry.resolve();
    } catch (error) {
      if (chunk.length === 1) return chunk[0]!.reject(error);
      for (const entry of chunk) {
        await this.write([entry.row]).then(entry.resolve, entry.reject);
      }
    }
  }
}
