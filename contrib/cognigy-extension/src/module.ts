import { createExtension } from "@cognigy/extension-tools";
import { webhookSecretConnection } from "./connections/webhookSecret";
import { sendSignedWebhookNode } from "./nodes/sendSignedWebhook";

export default createExtension({
  nodes: [sendSignedWebhookNode],
  connections: [webhookSecretConnection],
  options: { label: "cognigy-webhook: signed webhooks" },
});
