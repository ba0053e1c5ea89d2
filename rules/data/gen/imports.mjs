// imports.json: moved, renamed and removed Airflow import paths (1.10 -> 2.0 from upgrade_check's
// table, 2.x -> 3.x from ruff's AIR3xx tables), one row per old path, with a compact group key
// that rules select on. Also the names Airflow 1.10 exposed at package level
// (`from airflow.operators import PythonOperator`), which no 2.x or 3.x release can import.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'imports.json';

// The table's `rule` column names the source table; the group is what our rules select.
const GROUPS = {
  'upgrade_check ImportChangesRule': 'moved-2.0',
  'ruff AIR301': 'removed-3.0',
  'ruff AIR302': 'provider-3.0',
  'ruff AIR311': 'deprecated-3.0',
  'ruff AIR312': 'provider-shim-3.0',
  'ruff AIR321': 'moved-3.1',
};

// Airflow 1.10 made `from airflow.operators import X` work through AirflowImporter and these
// module -> class tables. Sources (the 1.10 line, AirflowImporter era):
//   airflow/operators/__init__.py `_operators`  (apache/airflow@03a7f2682a62dd0c431f07554743ad7756abf6cf)
//   airflow/hooks/__init__.py `_hooks`, airflow/contrib/hooks/__init__.py `_hooks`
//   airflow/operators/sensors.py, which re-exported the sensors from airflow.sensors.<module>.
// Airflow 2.0 dropped AirflowImporter, so each name is an ImportError on every 2.x and 3.x.
const PACKAGES_1_10 = {
  'airflow.operators': {
    bash_operator: ['BashOperator'],
    check_operator: ['CheckOperator', 'ValueCheckOperator', 'IntervalCheckOperator'],
    python_operator: ['PythonOperator', 'BranchPythonOperator', 'ShortCircuitOperator'],
    hive_operator: ['HiveOperator'],
    pig_operator: ['PigOperator'],
    presto_check_operator: ['PrestoCheckOperator', 'PrestoValueCheckOperator', 'PrestoIntervalCheckOperator'],
    sensors: ['BaseSensorOperator', 'ExternalTaskSensor', 'HdfsSensor', 'HivePartitionSensor', 'HttpSensor', 'MetastorePartitionSensor', 'NamedHivePartitionSensor', 'S3KeySensor', 'S3PrefixSensor', 'SqlSensor', 'TimeDeltaSensor', 'TimeSensor', 'WebHdfsSensor'],
    dagrun_operator: ['TriggerDagRunOperator'],
    dummy_operator: ['DummyOperator'],
    email_operator: ['EmailOperator'],
    hive_to_samba_operator: ['Hive2SambaOperator'],
    latest_only_operator: ['LatestOnlyOperator'],
    mysql_operator: ['MySqlOperator'],
    sqlite_operator: ['SqliteOperator'],
    mysql_to_hive: ['MySqlToHiveTransfer'],
    postgres_operator: ['PostgresOperator'],
    subdag_operator: ['SubDagOperator'],
    hive_stats_operator: ['HiveStatsCollectionOperator'],
    s3_to_hive_operator: ['S3ToHiveTransfer'],
    hive_to_mysql: ['HiveToMySqlTransfer'],
    presto_to_mysql: ['PrestoToMySqlTransfer'],
    s3_file_transform_operator: ['S3FileTransformOperator'],
    http_operator: ['SimpleHttpOperator'],
    hive_to_druid: ['HiveToDruidTransfer'],
    jdbc_operator: ['JdbcOperator'],
    mssql_operator: ['MsSqlOperator'],
    mssql_to_hive: ['MsSqlToHiveTransfer'],
    slack_operator: ['SlackAPIOperator', 'SlackAPIPostOperator'],
    generic_transfer: ['GenericTransfer'],
    oracle_operator: ['OracleOperator'],
  },
  'airflow.hooks': {
    base_hook: ['BaseHook'],
    hive_hooks: ['HiveCliHook', 'HiveMetastoreHook', 'HiveServer2Hook'],
    hdfs_hook: ['HDFSHook'],
    webhdfs_hook: ['WebHDFSHook'],
    pig_hook: ['PigCliHook'],
    mysql_hook: ['MySqlHook'],
    postgres_hook: ['PostgresHook'],
    presto_hook: ['PrestoHook'],
    samba_hook: ['SambaHook'],
    sqlite_hook: ['SqliteHook'],
    S3_hook: ['S3Hook'],
    zendesk_hook: ['ZendeskHook'],
    http_hook: ['HttpHook'],
    druid_hook: ['DruidHook'],
    jdbc_hook: ['JdbcHook'],
    dbapi_hook: ['DbApiHook'],
    mssql_hook: ['MsSqlHook'],
    oracle_hook: ['OracleHook'],
  },
  'airflow.contrib.hooks': {
    docker_hook: ['DockerHook'],
    ftp_hook: ['FTPHook'],
    ftps_hook: ['FTPSHook'],
    vertica_hook: ['VerticaHook'],
    ssh_hook: ['SSHHook'],
    winrm_hook: ['WinRMHook'],
    sftp_hook: ['SFTPHook'],
    bigquery_hook: ['BigQueryHook'],
    qubole_hook: ['QuboleHook'],
    gcs_hook: ['GoogleCloudStorageHook'],
    datastore_hook: ['DatastoreHook'],
    gcp_cloudml_hook: ['CloudMLHook'],
    redshift_hook: ['RedshiftHook'],
    gcp_dataproc_hook: ['DataProcHook'],
    gcp_dataflow_hook: ['DataFlowHook'],
    cloudant_hook: ['CloudantHook'],
    fs_hook: ['FSHook'],
    wasb_hook: ['WasbHook'],
    gcp_pubsub_hook: ['PubSubHook'],
    jenkins_hook: ['JenkinsHook'],
    aws_dynamodb_hook: ['AwsDynamoDBHook'],
    azure_data_lake_hook: ['AzureDataLakeHook'],
    azure_fileshare_hook: ['AzureFileShareHook'],
  },
};

// 1.10's airflow/operators/sensors.py subclassed each sensor from its airflow.sensors module.
const SENSOR_MODULES_1_10 = {
  BaseSensorOperator: 'base_sensor_operator',
  ExternalTaskSensor: 'external_task_sensor',
  HdfsSensor: 'hdfs_sensor',
  HivePartitionSensor: 'hive_partition_sensor',
  HttpSensor: 'http_sensor',
  MetastorePartitionSensor: 'metastore_partition_sensor',
  NamedHivePartitionSensor: 'named_hive_partition_sensor',
  S3KeySensor: 's3_key_sensor',
  S3PrefixSensor: 's3_prefix_sensor',
  SqlSensor: 'sql_sensor',
  TimeDeltaSensor: 'time_delta_sensor',
  TimeSensor: 'time_sensor',
  WebHdfsSensor: 'web_hdfs_sensor',
};

// Packages whose every class the 1.10 -> 2.0 table names by module; a package-level import of one
// of them fails on 2.x whatever 1.10 exposed, so the rows come from the table itself.
const TABLE_PACKAGES = ['airflow.contrib.operators', 'airflow.contrib.sensors'];

/** Where a 1.10 class lived (its module path), for every package-level name. */
function packageHomes(moved) {
  const homes = new Map();
  for (const [pkg, modules] of Object.entries(PACKAGES_1_10)) {
    for (const [module, classes] of Object.entries(modules)) {
      // airflow.operators.sensors was a real module re-exporting airflow.sensors.<module> classes.
      const sensors = pkg === 'airflow.operators' && module === 'sensors';
      for (const cls of classes) {
        const home = sensors ? `airflow.sensors.${SENSOR_MODULES_1_10[cls]}.${cls}` : `${pkg}.${module}.${cls}`;
        homes.set(`${pkg}.${cls}`, home);
        if (sensors) homes.set(`${pkg}.sensors.${cls}`, home);
      }
    }
  }
  for (const pkg of TABLE_PACKAGES) {
    const byClass = new Map();
    for (const row of moved) {
      if (!row.old.startsWith(`${pkg}.`) || row.old.split('.').length !== pkg.split('.').length + 2) continue;
      const cls = row.old.slice(row.old.lastIndexOf('.') + 1);
      byClass.set(cls, [...(byClass.get(cls) ?? []), row.old]);
    }
    // A class two modules define (e.g. SparkSubmitOperator) has no single home: left out.
    for (const [cls, olds] of byClass) if (olds.length === 1) homes.set(`${pkg}.${cls}`, olds[0]);
  }
  return homes;
}

/** Rows for package-level names: `new` is the class's 2.x home (its 1.10 module when 2.0 kept it). */
function packageRows(rows) {
  const moved = rows.filter((r) => r.group === 'moved-2.0' && !r.pattern);
  const movedByOld = new Map(moved.map((r) => [r.old, r]));
  return [...packageHomes(moved)].map(([old, home]) => {
    const next = movedByOld.get(home);
    const module = home.slice(0, home.lastIndexOf('.'));
    return {
      old,
      new: next?.new ?? home,
      provider: next?.provider ?? null,
      kind: 'moved',
      since: '2.0',
      group: 'package-1.10',
      note: `Airflow 1.10 exposed it from ${module}`,
    };
  });
}

export function generate(ref) {
  const table = parse(readFileSync(join(ref, 'airflow/imports-changes.yml'), 'utf8'));
  const rows = table.changes.map((r) => {
    const group = GROUPS[r.rule];
    if (!group) throw new Error(`imports-changes.yml: unknown rule ${r.rule}`);
    const row = { old: r.old, new: r.new ?? null, provider: r.provider ?? null, kind: r.kind, since: String(r.since), group };
    if (r.pattern) row.pattern = true;
    if (r.note) row.note = r.note;
    return row;
  });
  const packaged = packageRows(rows);
  return {
    description:
      "Moved, renamed and removed Airflow imports, generated from imports-changes.yml; do not edit by hand. In `old`, `**` stands for any sub-path. Group package-1.10: names Airflow 1.10 exposed at package level (airflow/operators/__init__.py `_operators`, airflow/hooks/__init__.py and airflow/contrib/hooks/__init__.py `_hooks`, airflow/operators/sensors.py; contrib operators and sensors from the 1.10 -> 2.0 table), with their 2.x home.",
    count: rows.length + packaged.length,
    rows: [...rows, ...packaged],
  };
}
