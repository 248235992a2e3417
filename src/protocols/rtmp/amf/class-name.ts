// A symbol, and non-enumerable, so the class name never shows up as a member nor in deep equality.
const CLASS_NAME = Symbol('amf.className');

/** The class name a typed object (AMF0 0x10, AMF3 named traits) carried, if any. */
export function amfClassName(value: object): string | undefined {
  const name = (value as { [CLASS_NAME]?: unknown })[CLASS_NAME];
  return typeof name === 'string' ? name : undefined;
}

/** Tags `value` so the encoders write it as an instance of `className`; returns `value`. */
export function withAmfClassName<T extends object>(value: T, className: string): T {
  Object.defineProperty(value, CLASS_NAME, { value: className, enumerable: false, configurable: true });
  return value;
}
