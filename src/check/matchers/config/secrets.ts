import type { Source } from '../../../home/inventory.js';
import { takesSecretFormAt } from '../../../refdata/airflow-config.js';
import type { Hit, Matcher } from '../../types.js';
import { claimOf, currentName } from './changes.js';
import { at, label, name, where } from './tables.js';

// Secrets: in the configuration, read through _cmd / _secret, connections and variables in the environment.

function secretVars(section: string, key: string, source: Source, target: string): Record<string, string> {
  const [s, k] = currentName(section, key, target);
  return {
    option: label(section, key),
    current: name(s, k),
    where: where(source),
    how: takesSecretFormAt(name(s, k), target)
      ? `Store it in Secrets Manager as airflow/config/${s}_${k} (with config_prefix airflow/config in secrets.backend_kwargs) and pass ${s}.${k}_secret = ${s}_${k} as a configuration option`
      : `Keep the credential in an Airflow connection stored in Secrets Manager as airflow/connections/<conn_id> and read it from there`,
  };
}

const OPTION_SECRET = /^\[(.+)\] (.+)$/;

export const configSecret: Matcher = (inv, ctx) => {
  const hits: Hit[] = [];
  for (const s of inv.secrets) {
    const m = OPTION_SECRET.exec(s.what);
    if (!m) continue;
    const [, section, key] = m as unknown as [string, string, string];
    if (claimOf(section, key, null, ctx.target)) continue;
    hits.push({ ...at(s.source), text: label(section, key), vars: secretVars(section, key, s.source, ctx.target) });
  }
  return hits;
};

interface IndirectParams {
  from: 'command' | 'secrets-backend';
}

export const configIndirect: Matcher = (inv, ctx, raw) => {
  const { from } = raw as unknown as IndirectParams;
  return inv.config.options
    .filter((o) => o.valueFrom === from && !claimOf(o.section, o.key, null, ctx.target))
    .map((o) => {
      const [s, k] = currentName(o.section, o.key, ctx.target);
      const sensitive = takesSecretFormAt(name(s, k), ctx.target);
      return {
        ...at(o.source),
        text: label(o.section, o.key),
        vars: {
          ...secretVars(o.section, o.key, o.source, ctx.target),
          form: from === 'command' ? `${o.key}_cmd` : `${o.key}_secret`,
          ignored: sensitive ? '' : ` Airflow ${ctx.target} honours this form only for sensitive options, and this one is not.`,
        },
      };
    });
};

interface EnvParams {
  what: 'connections' | 'variables';
  only?: string[];
  except?: string[];
}

export const envDefined: Matcher = (inv, _ctx, raw) => {
  const p = raw as unknown as EnvParams;
  const wanted = (id: string) => (!p.only || p.only.includes(id)) && !p.except?.includes(id);
  const secretVariables = new Set(inv.secrets.filter((s) => s.what.startsWith('variable ')).map((s) => s.what.slice('variable '.length)));
  const items =
    p.what === 'connections'
      ? inv.connections.map((c) => ({ id: c.connId, source: c.source, secretName: `airflow/connections/${c.connId}`, type: c.connType ?? 'unknown type', secret: c.hasPassword }))
      : inv.variables.map((v) => ({ id: v.key, source: v.source, secretName: `airflow/variables/${v.key}`, type: 'variable', secret: secretVariables.has(v.key) }));
  return items
    .filter((i) => wanted(i.id))
    .map((i) => {
      const variable = i.source.kind === 'env' ? i.source.name : i.id;
      return {
        ...at(i.source),
        text: variable,
        vars: { id: i.id, variable, secretName: i.secretName, type: i.type, secret: i.secret ? ' It holds a secret.' : '' },
      };
    });
};
