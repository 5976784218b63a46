/**
 * A Mixpanel export API simulator over real HTTP, for the demo job and the tests: generated events,
 * credentials, the hourly limit and injectable faults. It stands alone and uses nothing of this project.
 */
package io.mixpanelpipelines.simulator;
