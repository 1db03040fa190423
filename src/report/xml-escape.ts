/**
 * XML 1.0 escaping for the JUnit renderer. Subjects, messages and evidence come from AWS and from
 * users' files, so they can hold anything: markup characters, control characters, lone
 * surrogates.
 */

// XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// Anything else (NUL and the other C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot appear
// in an XML 1.0 document even as a character reference, so it is dropped. With the `u` flag a
// lone surrogate is a code point of its own and falls outside every allowed range.
const ILLEGAL_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes the characters XML 1.0 forbids. */
export function stripIllegalXmlChars(value: string): string {
  return value.replace(ILLEGAL_XML_CHARS, '');
}

/**
 * Escapes character data (element content). `>` is escaped too so that `]]>` can never occur,
 * and CR is written as a reference because parsers fold a literal CR into LF (XML 1.0 §2.11).
 */
export function escapeXmlText(value: string): string {
  return stripIllegalXmlChars(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/**
 * Escapes an attribute value for either quote style. Tab, LF and CR are written as references
 * because attribute-value normalisation (XML 1.0 §3.3.3) turns literal ones into spaces.
 */
export function escapeXmlAttribute(value: string): string {
  return stripIllegalXmlChars(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
