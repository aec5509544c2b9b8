/** Small helpers shared by the leaf packages (resp, config); imports nothing else from the proxy. */
package io.resplit.util;
