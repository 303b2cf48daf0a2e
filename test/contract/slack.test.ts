import { slackDriver } from "../support/slack-fake.ts";
import { adapterContract } from "./suite.ts";

adapterContract(slackDriver);
