import { IConnectionSchema } from "@cognigy/extension-tools";

/** The shared secret, kept in a Connection rather than in the flow. */
export const webhookSecretConnection: IConnectionSchema = {
  type: "cognigy-webhook-secret",
  label: "Webhook signing secret",
  fields: [{ fieldName: "secret" }],
};
