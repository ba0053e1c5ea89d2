import { dataTable } from '../../../refdata/data.js';
import { forLine, mwaaOptions, type DefaultEntry, type ReservedEntry } from './tables.js';

// What MWAA sets in the Airflow configuration of a given version. Where MWAA publishes a runtime
// image for the version, its configuration layer decides (mwaa-runtime.json: the options it
// forces, the defaults it lets a customer override); the list collected from MWAA's documentation
// (mwaa-options.json) fills in only what the image sets outside Airflow's environment, and is the
// whole answer for versions without an image, which the findings then say.

export interface RuntimeImage {
  python: string;
  essential: Record<string, string | null>;
  opinionated: Record<string, string | null>;
  protectedEnv: { names: string[]; prefixes: string[] };
}

export const mwaaRuntime = dataTable<{ images: Record<string, RuntimeImage> }>('mwaa-runtime.json');
export const runtimeImage = (target: string): RuntimeImage | undefined => mwaaRuntime().images[target];

const PROTECTED_NOTE = 'MWAA protects the environment variable';
const OUTSIDE_ENVIRONMENT = /^(celery_broker_transport_options|metrics)\./;
const NO_IMAGE = (target: string) => `MWAA publishes no runtime image for Airflow ${target}: this comes from its documentation`;

const optionOf = (variable: string): string | null => {
  const m = /^AIRFLOW__([A-Z0-9_]+?)__([A-Z0-9_]+)$/.exec(variable);
  return m ? `${m[1]!.toLowerCase()}.${m[2]!.toLowerCase()}` : null;
};

const memo = new Map<string, ReservedEntry[]>();

/** The options MWAA forces for the target: a customer's value is ignored (or breaks the environment). */
export function reservedFor(target: string): ReservedEntry[] {
  const known = memo.get(target);
  if (known) return known;
  const image = runtimeImage(target);
  const collected = mwaaOptions().reserved.filter((e) => forLine(e.airflow, target));
  let out: ReservedEntry[];
  if (!image) out = collected.map((e) => ({ ...e, note: [e.note, NO_IMAGE(target)].filter(Boolean).join('; ') }));
  else {
    // Options MWAA builds from the customer's value stay "merged", not reserved.
    const merged = new Set(mwaaOptions().merged.map((m) => m.option));
    const fromImage: ReservedEntry[] = Object.entries(image.essential)
      .filter(([option]) => !merged.has(option))
      .map(([option, value]) => {
        const note = collected.find((e) => e.option === option)?.note;
        return { option, airflow: 'all' as const, ...(value !== null ? { value } : {}), ...(note ? { note } : {}) };
      });
    const protectedOptions: ReservedEntry[] = image.protectedEnv.names.flatMap((v) => {
      const option = optionOf(v);
      return option && !(option in image.essential) ? [{ option, airflow: 'all' as const, note: `${PROTECTED_NOTE} ${v}` }] : [];
    });
    // Set outside Airflow's environment, which the image's airflow.py does not show: Celery's
    // transport options (its Celery config module) and, with the CloudWatch metrics integration, statsd.
    const elsewhere = collected.filter((e) => OUTSIDE_ENVIRONMENT.test(e.option) && !(e.option in image.essential) && !(e.option in image.opinionated));
    out = [...fromImage, ...protectedOptions, ...elsewhere];
  }
  memo.set(target, out);
  return out;
}

/** MWAA's own defaults for the target, which a customer may override through AirflowConfigurationOptions. */
export function defaultsFor(target: string): DefaultEntry[] {
  const image = runtimeImage(target);
  const collected = mwaaOptions().defaults;
  if (!image) return collected.filter((d) => forLine(d.airflow, target));
  return Object.entries(image.opinionated).map(([option, value]) => {
    const known = collected.find((d) => d.option === option);
    // A computed value (secrets.backend_kwargs) keeps the documented one.
    return { option, value: value ?? known?.value ?? '', airflow: 'all', notable: known?.notable ?? false, why: known?.why ?? "MWAA's default in its runtime image" };
  });
}
