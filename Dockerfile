# The image of mixpanel-pipelines: the application jar, its libraries and the warehouse drivers (lib/ext/) on
# a JRE 17, run as a non-root user through the launcher (the throughput collector, its JIT settings, huge pages for
# the heap where the node's kernel gives them on request, and a class-data archive, as on a workstation). Nothing
# is written outside two volumes: the working folder /var/lib/mixpanel-pipelines (the default spool data/spool and
# H2 state data/state resolve there) and /tmp.
# With a read-only root file system (the Helm chart) both are emptyDir or PVC mounts. Build the jar, target/lib/
# and the launcher first:
#   ./mvnw -B -DskipTests -Dcds.skip=true package && docker build -t mixpanel-pipelines:0.1.0 .
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 pipelines && useradd --system --uid 10001 --gid 10001 --no-create-home pipelines
# ISA-L's igzip (Ubuntu package isal, the base image being Ubuntu): bodies are inflated by `igzip -dc`, about a
# third less CPU than the JDK's zlib (PIPELINES_INFLATER=auto, the default, picks it when it works), started through
# perl (perl-base, part of the base image) to widen its pipes to 1 MiB
RUN apt-get update && apt-get install -y --no-install-recommends isal && rm -rf /var/lib/apt/lists/* \
    && igzip --version && perl -e 1
# the libraries first: they change less often than the application, so their layer is reused
COPY target/lib/ /app/lib/
COPY target/mixpanel-pipelines.jar /app/mixpanel-pipelines.jar
COPY target/mixpanel-pipelines /app/mixpanel-pipelines
COPY jobs/demo.yaml /app/demo.yaml
# The class-data archive is dumped here, by this image's JVM with this image's paths: one made by the build's
# JDK would not map (another JVM build, another class path) and would be ignored. A run of the demo job
# (built-in simulator on 127.0.0.1, no network) loads the classes an export uses; its data is thrown away:
# the demo runs from a copy in /tmp/cds-training/jobs, since its data, spool and state go beside the job
# file's folder (run from /app/demo.yaml they would stay in the image as /data).
RUN mkdir -p /tmp/cds-training/jobs && cp /app/demo.yaml /tmp/cds-training/jobs/ && cd /tmp/cds-training \
    && java -XX:ArchiveClassesAtExit=/app/mixpanel-pipelines.jsa -XX:+UseParallelGC -Xlog:cds=off -Xlog:cds+dynamic=off \
       -jar /app/mixpanel-pipelines.jar export --job /tmp/cds-training/jobs/demo.yaml > /dev/null \
    && cd / && rm -rf /tmp/cds-training \
    && chmod 0755 /app/mixpanel-pipelines \
    && mkdir -p /var/lib/mixpanel-pipelines && chown 10001:10001 /var/lib/mixpanel-pipelines
WORKDIR /var/lib/mixpanel-pipelines
VOLUME ["/var/lib/mixpanel-pipelines", "/tmp"]
USER 10001:10001
# -XX:+UseParallelGC, the JIT settings, huge pages and the archive come from the launcher; JAVA_OPTS adds options,
# after them (the chart sets JAVA_TOOL_OPTIONS, which the launcher's own options follow; a collector or a
# large-page option named in either replaces the launcher's)
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp"
# 8080: Actuator (health probes, /actuator/prometheus) of the `schedule` command
EXPOSE 8080
ENTRYPOINT ["/app/mixpanel-pipelines"]
CMD ["--help"]
