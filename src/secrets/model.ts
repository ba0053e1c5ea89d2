// What the secrets sources produce. Items hold values (in memory only, to be written to Secrets
// Manager); problems and notes never do: they name connections, variables, files and lines.

/** A connection's fields as Airflow's Connection model holds them (null: not set). */
export interface ConnectionFields {
  conn_type: string | null;
  host: string | null;
  login: string | null;
  password: string | null;
  schema: string | null;
  port: number | null;
  /** The extra JSON text, as stored (usually a JSON object). */
  extra: string | null;
  description: string | null;
}

/** Where an item came from: a file (with line for env files) or a metadata database. */
export type ItemSource =
  | { kind: 'connections-export' | 'variables-export' | 'env-file'; file: string; line?: number }
  | { kind: 'metadata-db'; db: string; table: 'connection' | 'variable' };

export interface ConnectionItem {
  kind: 'connection';
  id: string;
  fields: ConnectionFields;
  source: ItemSource;
}

export interface VariableItem {
  kind: 'variable';
  key: string;
  value: string;
  source: ItemSource;
}

export type SecretItem = ConnectionItem | VariableItem;

/** A per-item or per-source problem: the item is left out; the rest goes on. */
export interface SecretProblem {
  /** Which item, when the problem is one item's ("connection my_pg", "variable api_key"). */
  item?: string;
  source: ItemSource | { kind: 'source'; what: string };
  message: string;
}

export interface Collected {
  items: SecretItem[];
  problems: SecretProblem[];
  /** Value-free remarks, e.g. which source's item overrode another's. */
  notes: string[];
}

export const itemName = (i: SecretItem): string => (i.kind === 'connection' ? `connection ${i.id}` : `variable ${i.key}`);

/** A source for messages: "connections.json", ".env line 4", "metadata db postgresql://airflow@db:5432/airflow". */
export function describeSource(s: SecretProblem['source']): string {
  switch (s.kind) {
    case 'metadata-db':
      return `metadata db ${s.db} (table ${s.table})`;
    case 'source':
      return s.what;
    default:
      return s.line ? `${s.file} line ${s.line}` : s.file;
  }
}

export const emptyFields = (): ConnectionFields => ({
  conn_type: null,
  host: null,
  login: null,
  password: null,
  schema: null,
  port: null,
  extra: null,
  description: null,
});
