import { discordDriver } from "../support/discord-fake.ts";
import { adapterContract } from "./suite.ts";

adapterContract(discordDriver);
