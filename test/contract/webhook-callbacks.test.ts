import { webhookDriver } from "../support/webhook-driver.ts";
import { adapterContract } from "./suite.ts";

adapterContract(() => webhookDriver({ callbacks: true }));
