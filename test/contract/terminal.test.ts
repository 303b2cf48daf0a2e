import { terminalDriver } from "../support/terminal-driver.ts";
import { adapterContract } from "./suite.ts";

adapterContract(terminalDriver);
