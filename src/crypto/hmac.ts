// HMAC-SHA256 via node:crypto. Verification compares in constant time for a given tag length
// and returns false, never throws, for tags of the wrong length.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const HMAC_SHA256_BYTES = 32;
/** Shortest tag accepted: 128 bits (half the output), so truncation never makes tags guessable. */
export const HMAC_MIN_TAG_BYTES = 16;

/**
 * HMAC-SHA256 of `message`, truncated to the leftmost `tagBytes` bytes (default: all 32).
 * Throws RangeError if `tagBytes` is not an integer from 16 to 32.
 */
export function hmacSha256(
  key: Uint8Array,
  message: Uint8Array,
  tagBytes: number = HMAC_SHA256_BYTES,
): Buffer {
  assertTagBytes(tagBytes);
  return createHmac('sha256', key).update(message).digest().subarray(0, tagBytes);
}

/**
 * True only if `tag` is exactly `tagBytes` long and equals the (truncated) HMAC. The tag length
 * expected is the caller's choice, never the attacker's: a shorter tag is refused, not compared
 * as a prefix. Content is compared with timingSafeEqual; a wrong length still does one
 * full-length comparison so the work done does not depend on the tag's content.
 * Throws RangeError only for a `tagBytes` outside 16..32 (a caller bug).
 */
export function verifyHmacSha256(
  key: Uint8Array,
  message: Uint8Array,
  tag: Uint8Array,
  tagBytes: number = HMAC_SHA256_BYTES,
): boolean {
  const expected = hmacSha256(key, message, tagBytes);
  const lengthOk = tag.length === expected.length;
  const candidate = lengthOk ? tag : expected;
  const contentOk = timingSafeEqual(expected, candidate);
  return lengthOk && contentOk;
}

function assertTagBytes(tagBytes: number): void {
  if (
    !Number.isInteger(tagBytes) ||
    tagBytes < HMAC_MIN_TAG_BYTES ||
    tagBytes > HMAC_SHA256_BYTES
  ) {
    throw new RangeError(
      `HMAC tag length must be ${HMAC_MIN_TAG_BYTES}..${HMAC_SHA256_BYTES} bytes, got ${tagBytes}`,
    );
  }
}
