/** Source tasks: git checkouts at a ref, with deploy keys. */
export { gitCheckout, type GitCheckoutParams, type GitCheckoutOutput } from "./git-checkout.js";
