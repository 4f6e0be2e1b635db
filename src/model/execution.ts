/**
 * How long a step may run and what it may use when it runs as a Kubernetes
 * Job: a step's `timeout` (seconds) and `resources` (requests and limits),
 * and the pipeline's defaults for every step, `settings.step_timeout` and
 * `settings.step_resources`. Pure functions: the texts the properties panel
 * shows, their checks (as the pipeline schema checks them), and the values
 * an edit writes (null: the field is removed).
 */
import { isJSONObject } from './pipeline';

/** The two halves of a container's resources. */
export type ResourceKind = 'requests' | 'limits';

/** Resources the panel edits (others in the file are kept as they are). */
export type ResourceName = 'cpu' | 'memory';

/** `resources` as the pipeline file holds it. */
export interface IResourcesJSON {
  requests?: Record<string, string | number>;
  limits?: Record<string, string | number>;
}

/** A Kubernetes quantity, as the pipeline schema's `quantity` reads it. */
const QUANTITY =
  /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|[KMGTPE]i?|[munkMGTPE])?$/;

/** Why a text is not a quantity (empty: no value), or null. */
export function quantityProblem(text: string): string | null {
  const value = text.trim();
  if (!value || QUANTITY.test(value)) {
    return null;
  }
  return "Must be a Kubernetes quantity such as '500m', '2' or '4Gi'";
}

/** Why a text is not a timeout in seconds (empty: no value), or null. */
export function timeoutProblem(text: string): string | null {
  const value = text.trim();
  if (!value) {
    return null;
  }
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0
    ? null
    : 'Must be a number of seconds (0: no limit)';
}

/** The timeout a text stands for: null when empty (the field is removed). */
export function parseTimeout(text: string): number | null {
  const value = text.trim();
  return value ? Number(value) : null;
}

/** A timeout field's text: empty when it is not a number. */
export function timeoutText(value: unknown): string {
  return typeof value === 'number' ? String(value) : '';
}

/** One quantity of a `resources` value as text (empty when absent). */
export function quantityText(
  resources: unknown,
  kind: ResourceKind,
  name: ResourceName
): string {
  if (!isJSONObject(resources)) {
    return '';
  }
  const half = resources[kind];
  if (!isJSONObject(half)) {
    return '';
  }
  const value = half[name];
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : '';
}

/**
 * `resources` with one quantity set (or removed when `text` is empty);
 * other quantities are kept, empty halves dropped. Null when nothing is left.
 */
export function withQuantity(
  resources: unknown,
  kind: ResourceKind,
  name: ResourceName,
  text: string
): IResourcesJSON | null {
  const copy: Record<string, unknown> = isJSONObject(resources)
    ? JSON.parse(JSON.stringify(resources))
    : {};
  const half: Record<string, unknown> = isJSONObject(copy[kind])
    ? (copy[kind] as Record<string, unknown>)
    : {};
  const value = text.trim();
  if (value) {
    half[name] = value;
  } else {
    delete half[name];
  }
  if (Object.keys(half).length) {
    copy[kind] = half;
  } else {
    delete copy[kind];
  }
  return Object.keys(copy).length ? (copy as IResourcesJSON) : null;
}

/** Whether a timeout or a resources value holds anything. */
export function hasExecutionLimits(
  timeout: unknown,
  resources: unknown
): boolean {
  return (
    typeof timeout === 'number' ||
    (isJSONObject(resources) && Object.keys(resources).length > 0)
  );
}
