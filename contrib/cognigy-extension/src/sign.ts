// The headers that sign a body for each HMAC profile of cognigy-webhook,
// with Node's crypto only. Each profile is the same data the verifier checks:
// header names, timestamp format, what the HMAC covers, how it is written.
import * as crypto from "crypto";

interface SignatureProfile {
  signatureHeader: string;
  timestampHeader: string;
  timestamp: (nowMs: number) => string;
  /** Between the timestamp and the body in the signed bytes; null: body only. */
  separator: string | null;
  prefix: string;
  /** `t=…,v1=…` in one header (Voice Gateway / jambonz). */
  structured: boolean;
}

const millis = (nowMs: number) => String(Math.floor(nowMs));
const seconds = (nowMs: number) => String(Math.floor(nowMs / 1000));
const rfc3339 = (nowMs: number) =>
  new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace(".000Z", "Z");

export const PROFILES: { [name: string]: SignatureProfile } = {
  "webhook-hex": {
    signatureHeader: "X-Cognigy-Webhook-Signature",
    timestampHeader: "X-Cognigy-Webhook-Timestamp",
    timestamp: rfc3339,
    separator: null,
    prefix: "",
    structured: false,
  },
  "sha256-prefixed": {
    signatureHeader: "X-Cognigy-Signature",
    timestampHeader: "X-Cognigy-Timestamp",
    timestamp: millis,
    separator: null,
    prefix: "sha256=",
    structured: false,
  },
  "timestamp-newline": {
    signatureHeader: "X-Cognigy-Signature",
    timestampHeader: "X-Cognigy-Timestamp",
    timestamp: seconds,
    separator: "\n",
    prefix: "",
    structured: false,
  },
  "hex-millis": {
    signatureHeader: "X-Cognigy-Signature",
    timestampHeader: "X-Cognigy-Timestamp",
    timestamp: millis,
    separator: null,
    prefix: "",
    structured: false,
  },
  "voice-gateway": {
    signatureHeader: "Jambonz-Signature",
    timestampHeader: "Jambonz-Signature",
    timestamp: seconds,
    separator: ".",
    prefix: "",
    structured: true,
  },
};

/** The headers that sign `body` (sent as these exact UTF-8 bytes). */
export function signHeaders(
  profileName: string,
  body: string,
  secret: string,
  nowMs: number = Date.now(),
): { [header: string]: string } {
  const profile = PROFILES[profileName];
  if (!profile) {
    throw new Error(`unknown profile ${profileName}: use one of ${Object.keys(PROFILES).join(", ")}`);
  }
  const timestamp = profile.timestamp(nowMs);
  const mac = crypto.createHmac("sha256", secret);
  if (profile.separator !== null) {
    mac.update(timestamp, "utf8");
    mac.update(profile.separator, "utf8");
  }
  mac.update(body, "utf8");
  const signature = profile.prefix + mac.digest("hex");
  if (profile.structured) {
    return { [profile.signatureHeader]: `t=${timestamp},v1=${signature}` };
  }
  return { [profile.signatureHeader]: signature, [profile.timestampHeader]: timestamp };
}
