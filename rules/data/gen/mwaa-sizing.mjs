// mwaa-sizing.json: MWAA's environment classes and their prices, the facts `size` reasons from.
// Each fact keeps the mwaa.yaml path it was read from, so every number in a sizing names its row.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const output = 'mwaa-sizing.json';

const fact = (value, source) => ({ value: value ?? null, source });

/** "all", ">= 2.7.2 (...)" or "not established ..." from the class's airflow_versions text. */
function availability(text, source) {
  const s = String(text);
  const range = /^(>=|<=|>|<|==)\s*(\d[\d.]*)/.exec(s);
  return {
    text: s,
    established: !/not established/i.test(s),
    range: range ? `${range[1]}${range[2]}` : null,
    source,
  };
}

function component(c, path) {
  return { vcpu: fact(c?.vcpu, `${path}.vcpu`), memoryGb: fact(c?.memory_gb, `${path}.memory_gb`), ...(c?.note ? { note: c.note } : {}) };
}

function range(r, path) {
  return { min: fact(r.min, `${path}.min`), max: fact(r.max, `${path}.max`), ...(r.default !== undefined ? { default: fact(r.default, `${path}.default`) } : {}) };
}

/** The counts the base fee includes, read from the billing model's sentence about them. */
function included(billing) {
  const i = billing.findIndex((line) => /base fee includes/i.test(line));
  const m = /(\d+) worker, (\d+) schedulers, (\d+) web servers/.exec(billing[i] ?? '');
  if (!m) throw new Error('mwaa.yaml pricing.billing_model: no "Base fee includes N worker, N schedulers, N web servers" line');
  const source = `pricing.billing_model[${i}]`;
  return { workers: fact(Number(m[1]), source), schedulers: fact(Number(m[2]), source), webservers: fact(Number(m[3]), source) };
}

function rates(table, path) {
  return Object.fromEntries(Object.entries(table ?? {}).map(([cls, v]) => [cls, fact(v, `${path}.${cls}`)]));
}

export function generate(ref) {
  const m = parse(readFileSync(join(ref, 'mwaa/mwaa.yaml'), 'utf8'));
  const ec = m.environment_classes;
  const classes = Object.entries(ec.classes)
    .map(([name, c]) => {
      const p = `environment_classes.classes.${name}`;
      return {
        name,
        dagCapacity: fact(c.dag_capacity, `${p}.dag_capacity`),
        tasksPerWorker: fact(c.default_concurrent_tasks_per_worker, `${p}.default_concurrent_tasks_per_worker`),
        worker: component(c.worker, `${p}.worker`),
        scheduler: component(c.scheduler, `${p}.scheduler`),
        webserver: component(c.webserver, `${p}.webserver`),
        autoscaling: fact(c.autoscaling, `${p}.autoscaling`),
        workers: { ...range(c.workers, `${p}.workers`), ...(c.workers.max_note ? { maxNote: c.workers.max_note } : {}) },
        schedulers: range(c.schedulers, `${p}.schedulers`),
        webservers: range(c.webservers, `${p}.webservers`),
        airflowVersions: availability(c.airflow_versions, `${p}.airflow_versions`),
        confidence: c.confidence,
      };
    })
    .sort((a, b) => a.dagCapacity.value - b.dagCapacity.value);

  const pr = m.pricing;
  const regions = {};
  const notEstablished = [];
  for (const [region, r] of Object.entries(pr.regions)) {
    if (r.status) {
      notEstablished.push(region);
      continue;
    }
    const p = `pricing.regions.${region}`;
    regions[region] = {
      asOf: r.as_of,
      source: [r.source].flat(),
      confidence: r.confidence,
      environmentPerHour: rates(r.environment_per_hour, `${p}.environment_per_hour`),
      additionalWorkerPerHour: rates(r.additional_worker_per_hour, `${p}.additional_worker_per_hour`),
      additionalSchedulerPerHour: rates(r.additional_scheduler_per_hour, `${p}.additional_scheduler_per_hour`),
      additionalWebserverPerHour: rates(r.additional_webserver_per_hour, `${p}.additional_webserver_per_hour`),
      metadataGbMonth: fact(r.metadatabase_gb_month, `${p}.metadatabase_gb_month`),
    };
  }

  return {
    description: 'MWAA environment classes and prices for sizing, generated from the MWAA reference (mwaa.yaml); do not edit by hand.',
    gathered: m.meta?.gathered ?? null,
    classes,
    classNotes: ec.notes,
    scaling: { workers: m.environment_classes.scaling_rules.worker_scaling, source: 'environment_classes.scaling_rules.worker_scaling' },
    pricing: {
      currency: pr.currency,
      included: included(pr.billing_model),
      priceListUrl: fact(/https:\/\/\S+/.exec(pr.authoritative_runtime_source)?.[0], 'pricing.authoritative_runtime_source'),
      regions,
      notEstablished,
      discrepancies: pr.discrepancies ?? [],
    },
  };
}
