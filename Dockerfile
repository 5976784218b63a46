# The image of mixpanel-pipelines: the application jar and its libraries on a JRE 17, run as a non-root
# user, with nothing written outside /tmp and the spool folder (the Helm chart mounts both as emptyDir
# volumes and makes the root filesystem read-only). Build the jar and target/lib/ first:
#   ./mvnw -B -DskipTests package && docker build -t mixpanel-pipelines:0.1.0 .
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 pipelines && useradd --system --uid 10001 --gid 10001 --no-create-home pipelines
WORKDIR /app
# the libraries first: they change less often than the application, so their layer is reused
COPY target/lib/ /app/lib/
COPY target/mixpanel-pipelines.jar /app/mixpanel-pipelines.jar
USER 10001:10001
# the throughput collector suits a batch job (about 10% faster than G1 on 2 cores; README, Performance)
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+UseParallelGC -Djava.io.tmpdir=/tmp"
# 8080: Actuator (health probes, /actuator/prometheus) of the `schedule` command
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/mixpanel-pipelines.jar"]
CMD ["--help"]
