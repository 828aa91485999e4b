import * as http from "http";
import * as https from "https";
import { createNodeDescriptor, INodeFunctionBaseParams } from "@cognigy/extension-tools";
import { PROFILES, signHeaders } from "../sign";

/** The node's fields, as Cognigy passes them in `config`. */
export interface ISendSignedWebhookConfig {
  url: string;
  profile: string;
  connection: { secret: string };
  body: object | string;
  contextKey: string;
}

/** A URL for logs: no user, password or query (they can carry credentials). */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "<not a URL>";
  }
}

/** POSTs `body` to `url`; resolves with the status and the answer's text. */
function post(url: string, headers: { [name: string]: string }, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    const request = client.request(
      target,
      { method: "POST", headers: { ...headers, "Content-Length": String(Buffer.byteLength(body, "utf8")) }, timeout: 10000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode || 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out after 10 s")));
    request.on("error", reject);
    request.end(body, "utf8");
  });
}

export const sendSignedWebhookNode = createNodeDescriptor({
  type: "sendSignedWebhook",
  defaultLabel: "Send signed webhook",
  summary: "POSTs a JSON body signed with HMAC-SHA256 for a cognigy-webhook profile",
  fields: [
    { key: "url", label: "URL", type: "cognigyText", params: { required: true } },
    {
      key: "profile",
      label: "Profile",
      type: "select",
      defaultValue: "hex-millis",
      params: {
        required: true,
        options: Object.keys(PROFILES).map((name) => ({ label: name, value: name })),
      },
    },
    {
      key: "connection",
      label: "Signing secret",
      type: "connection",
      params: { connectionType: "cognigy-webhook-secret", required: true },
    },
    { key: "body", label: "Body (JSON)", type: "json", defaultValue: "{}", params: { required: true } },
    { key: "contextKey", label: "Store the answer in context key", type: "cognigyText", defaultValue: "signedWebhook" },
  ],
  appearance: { color: "#2f6f4e" },
  function: async ({ cognigy, config: fields }: INodeFunctionBaseParams) => {
    const { api } = cognigy;
    const config = fields as ISendSignedWebhookConfig;
    // Serialised once: these exact bytes are signed and sent.
    const body = typeof config.body === "string" ? config.body : JSON.stringify(config.body);
    try {
      const headers = {
        "Content-Type": "application/json",
        ...signHeaders(config.profile, body, config.connection.secret),
      };
      const answer = await post(config.url, headers, body);
      api.addToContext?.(config.contextKey || "signedWebhook", answer, "simple");
      if (answer.status >= 300) {
        api.log?.("error", `Send signed webhook: ${shown(config.url)} answered ${answer.status}`);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      api.log?.("error", `Send signed webhook: ${message}`);
      api.addToContext?.(config.contextKey || "signedWebhook", { status: 0, error: message }, "simple");
    }
  },
});
