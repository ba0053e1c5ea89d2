// removed-methods.json: methods Airflow 3.0 removed from its classes (DAG, DagRun, hooks, secrets
// backends, datasets and their manager, lineage collector, providers manager). The reference
// tables under ../shared/reference hold names and arguments, not methods, so these rows are
// curated here, each with the source it was read from.
//
// A row matches `receiver.method(...)`:
//  - classPattern: the receiver resolves (through the file's imports) to an Airflow class whose
//    simple name matches it: an error on a 3.x target.
//  - distinctive: the name is Airflow's own (iter_datasets, create_dagrun): an error whatever the
//    receiver, in a file that imports Airflow.
//  - receiverHint: for common names (get_connections, create_dataset), an unresolved receiver
//    whose text matches is a warning; any other receiver is left alone.

export const output = 'removed-methods.json';

const RUFF = 'astral-sh/ruff@b333191c613031c14c51971d32fc564adda2f724:crates/ruff_linter/src/rules/airflow/rules/removal_in_3.rs (check_method)';
const RUFF_PR_15083 = 'https://github.com/astral-sh/ruff/pull/15083';

const DATASET_MANAGER = { target: 'DatasetManager', classPattern: '^DatasetManager$' };
const LINEAGE = { target: 'HookLineageCollector', classPattern: '^HookLineageCollector$' };
const DATASETS = { target: 'Dataset (and DatasetAlias, DatasetAll, DatasetAny)', classPattern: '^(Base)?Dataset(Alias|All|Any)?$' };

const ROWS = [
  { ...DATASET_MANAGER, old: 'register_dataset_change', new: 'register_asset_change', distinctive: true, source: RUFF },
  { ...DATASET_MANAGER, old: 'create_datasets', new: 'create_assets', distinctive: false, receiverHint: 'manager', source: RUFF },
  { ...DATASET_MANAGER, old: 'notify_dataset_created', new: 'notify_asset_created', distinctive: true, source: RUFF },
  { ...DATASET_MANAGER, old: 'notify_dataset_changed', new: 'notify_asset_changed', distinctive: true, source: RUFF },
  { ...DATASET_MANAGER, old: 'notify_dataset_alias_created', new: 'notify_asset_alias_created', distinctive: true, source: RUFF },
  // create_dataset is also a BigQuery and many users' own method name.
  { ...LINEAGE, old: 'create_dataset', new: 'create_asset', distinctive: false, receiverHint: 'lineage|collector', source: RUFF },
  { ...LINEAGE, old: 'add_input_dataset', new: 'add_input_asset', distinctive: true, source: RUFF },
  { ...LINEAGE, old: 'add_output_dataset', new: 'add_output_asset', distinctive: true, source: RUFF },
  { ...LINEAGE, old: 'collected_datasets', new: 'collected_assets', distinctive: true, source: RUFF },
  { target: 'AwsAuthManager', classPattern: '^AwsAuthManager$', old: 'is_authorized_dataset', new: 'is_authorized_asset', distinctive: true, source: RUFF },
  {
    target: 'ProvidersManager',
    classPattern: '^ProvidersManager$',
    old: 'initialize_providers_dataset_uri_resources',
    new: 'initialize_providers_asset_uri_resources',
    distinctive: true,
    source: RUFF,
  },
  { ...DATASETS, old: 'iter_datasets', new: 'iter_assets', distinctive: true, source: `${RUFF}; ${RUFF_PR_15083}` },
  { ...DATASETS, old: 'iter_dataset_aliases', new: 'iter_asset_aliases', distinctive: true, source: RUFF },
  {
    target: 'secrets backends (BaseSecretsBackend and subclasses)',
    classPattern: 'Backend$',
    old: 'get_conn_uri',
    new: 'get_conn_value',
    distinctive: true,
    source: `${RUFF}; ${RUFF_PR_15083}`,
  },
  {
    target: 'BaseHook, hooks and secrets backends',
    classPattern: 'Hook$|Backend$',
    old: 'get_connections',
    new: 'get_connection',
    distinctive: false,
    receiverHint: 'hook|backend|secret',
    deprecatedSince: '2.0',
    source: `${RUFF}; https://github.com/apache/airflow/pull/10192 (deprecated); https://github.com/apache/airflow/pull/41733 (removed)`,
  },
  {
    target: 'DAG',
    classPattern: '^DAG$',
    old: 'create_dagrun',
    new: 'TriggerDagRunOperator, or the REST API (POST /api/v2/dags/<dag_id>/dagRuns)',
    distinctive: true,
    note: 'DAG objects in task code are the Task SDK DAG, which does not create runs',
    source: 'https://github.com/astral-sh/ruff/pull/21093 (AIR301 `airflow....DAG.create_dagrun` has been removed)',
  },
  // get_run is a common name (MLflow's client has one): only a resolved DagRun counts.
  {
    target: 'DagRun',
    classPattern: '^DagRun$',
    old: 'get_run',
    new: 'DagRun.find(...) from airflow.sdk, or the REST API',
    distinctive: false,
    source: 'https://github.com/apache/airflow/pull/41778 (newsfragment: removed deprecated method DagRun.get_run())',
  },
];

export function generate() {
  const rows = ROWS.map((r) => {
    if (!r.source) throw new Error(`removed-methods: ${r.old} has no source`);
    return {
      target: r.target,
      old: r.old,
      new: r.new,
      classPattern: r.classPattern,
      distinctive: r.distinctive,
      receiverHint: r.receiverHint ?? null,
      deprecatedSince: r.deprecatedSince ?? null,
      removedIn: '3.0',
      note: r.note ?? null,
      source: r.source,
    };
  });
  return {
    description:
      'Methods Airflow 3.0 removed from its classes, generated by rules/data/gen/removed-methods.mjs from the curated list there (each row cites its source); do not edit by hand. classPattern matches the simple name of a resolved receiver class; distinctive names count on any receiver; receiverHint (a case-insensitive regexp) lets a common name count as a warning on a receiver whose text matches.',
    count: rows.length,
    rows,
  };
}
