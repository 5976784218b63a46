package io.mixpanelpipelines.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mixpanelpipelines.config.JobDefinition;
import io.mixpanelpipelines.config.JobDefinitionLoader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code helm lint} and {@code helm template} of {@code helm/mixpanel-pipelines} with several value files; the
 * rendered objects are parsed with the fabric8 Kubernetes model, and any field the model does not know
 * (a misspelling) fails the test.
 */
class HelmChartIntegrationTests {

    static final String CHART = "helm/mixpanel-pipelines";

    @TempDir
    Path tmp;

    @Test
    void lintPassesWithTheDefaultsAndEveryExampleValuesFile() throws Exception {
        for (String[] args : List.of(new String[] {"lint", CHART, "--strict"},
                new String[] {"lint", CHART, "--strict", "-f", CHART + "/ci/cronjob-values.yaml"},
                new String[] {"lint", CHART, "--strict", "-f", CHART + "/ci/scheduler-values.yaml"},
                new String[] {"lint", CHART, "--strict", "-f", CHART + "/ci/workers-values.yaml"})) {
            Helm.Result r = Helm.helm(args);
            assertThat(r.code()).as(r.output()).isZero();
        }
    }

    @Test
    void cronjobModeRendersOneCronJobPerJobWithSecretsOnlyByReference() throws Exception {
        List<HasMetadata> objects = template(CHART + "/ci/cronjob-values.yaml");

        List<CronJob> cronJobs = ofKind(objects, CronJob.class);
        assertThat(cronJobs).extracting(c -> c.getMetadata().getName())
                .containsExactly("rel-mixpanel-pipelines-acme-events", "rel-mixpanel-pipelines-beta-events");
        assertThat(cronJobs).extracting(c -> c.getSpec().getSchedule()).containsExactly("30 * * * *", "0 2 * * *");
        assertThat(cronJobs).extracting(c -> c.getSpec().getTimeZone()).containsExactly("Europe/Paris", "UTC");
        assertThat(ofKind(objects, Deployment.class)).isEmpty();
        for (CronJob c : cronJobs) {
            assertThat(c.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
            assertThat(c.getSpec().getSuccessfulJobsHistoryLimit()).isEqualTo(3);
            assertThat(c.getSpec().getFailedJobsHistoryLimit()).isEqualTo(3);
            assertThat(c.getSpec().getJobTemplate().getSpec().getBackoffLimit()).isEqualTo(2);
            assertThat(c.getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds()).isEqualTo(21600L);
            PodSpec pod = c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
            assertThat(pod.getRestartPolicy()).isEqualTo("Never");
            assertHardened(pod);
            String job = c.getMetadata().getLabels().get("mixpanel-pipelines/job");
            assertThat(pod.getContainers().get(0).getArgs())
                    .containsExactly("export", "--job", "/etc/mixpanel-pipelines/jobs/" + job + ".yaml");
        }
        assertSecretsOnlyReferenced(objects);
        assertThat(ofKind(objects, io.fabric8.kubernetes.api.model.ServiceAccount.class)).singleElement()
                .satisfies(sa -> assertThat(sa.getMetadata().getAnnotations())
                        .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/x"));

        // the job files in the ConfigMap are valid job files, with their schedule and spool folder filled in
        ConfigMap jobs = ofKind(objects, ConfigMap.class).get(0);
        assertThat(jobs.getData()).containsOnlyKeys("acme-events.yaml", "beta-events.yaml");
        JobDefinition acme = new JobDefinitionLoader().parse(jobs.getData().get("acme-events.yaml"));
        assertThat(acme.name()).isEqualTo("acme-events");
        assertThat(acme.export().schedule()).isEqualTo("0 30 * * * *");
        assertThat(acme.export().spoolDir()).isEqualTo(Path.of("/spool/acme-events"));
        assertThat(new JobDefinitionLoader().parse(jobs.getData().get("beta-events.yaml")).mixpanel().projectId()).isEqualTo("42");
    }

    @Test
    void schedulerModeRendersADeploymentWithProbesAServiceAndAServiceMonitor() throws Exception {
        List<HasMetadata> objects = template(CHART + "/ci/scheduler-values.yaml");

        assertThat(ofKind(objects, CronJob.class)).isEmpty();
        Deployment d = ofKind(objects, Deployment.class).get(0);
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertHardened(pod);
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(90L);
        assertThat(pod.getServiceAccountName()).isEqualTo("pipelines");
        assertThat(pod.getNodeSelector()).containsEntry("workload", "batch");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("batch"));
        assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
        Container c = pod.getContainers().get(0);
        assertThat(c.getArgs()).containsExactly("schedule", "--jobs", "/etc/mixpanel-pipelines/jobs");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(c.getStartupProbe()).isNotNull();
        assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("3Gi");
        assertThat(c.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", "90s"),
                        org.assertj.core.groups.Tuple.tuple("SPRING_PROFILES_ACTIVE", "json-logs"));
        assertThat(ofKind(objects, Service.class).get(0).getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
        GenericKubernetesResource monitor = ofKind(objects, GenericKubernetesResource.class).stream()
                .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
        assertThat(monitor.getAdditionalProperties().toString()).contains("/actuator/prometheus");
        assertThat(ofKind(objects, io.fabric8.kubernetes.api.model.ServiceAccount.class)).isEmpty();
        assertSecretsOnlyReferenced(objects);
        assertThat(new JobDefinitionLoader().parse(ofKind(objects, ConfigMap.class).get(0).getData().get("acme-events.yaml"))
                .export().schedule()).isEqualTo("0 */15 * * * *");
    }

    @Test
    void workersModeRendersAWorkerDeploymentPerJobBesideTheManager() throws Exception {
        List<HasMetadata> objects = template(CHART + "/ci/workers-values.yaml");

        assertThat(ofKind(objects, CronJob.class)).as("the scheduler is the manager here").isEmpty();
        List<Deployment> deployments = ofKind(objects, Deployment.class);
        assertThat(deployments).extracting(d -> d.getMetadata().getName()).containsExactlyInAnyOrder("rel-mixpanel-pipelines",
                "rel-mixpanel-pipelines-worker-big-events", "rel-mixpanel-pipelines-worker-small-events");
        Deployment scheduler = deployments.stream().filter(d -> d.getMetadata().getName().equals("rel-mixpanel-pipelines"))
                .findFirst().orElseThrow();
        assertThat(scheduler.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsExactly("schedule", "--jobs", "/etc/mixpanel-pipelines/jobs");
        Map<String, String> schedulerSelector = scheduler.getSpec().getSelector().getMatchLabels();
        for (Deployment d : deployments) {
            if (d == scheduler) {
                continue;
            }
            String job = d.getMetadata().getLabels().get("mixpanel-pipelines/job");
            assertThat(d.getSpec().getReplicas()).isEqualTo(3);
            Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
            assertThat(podLabels.entrySet().containsAll(schedulerSelector.entrySet()))
                    .as("the scheduler's selector does not match worker pods").isFalse();
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertHardened(pod);
            assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(300L);
            assertThat(pod.getContainers().get(0).getArgs()).containsExactly("worker", "--job",
                    "/etc/mixpanel-pipelines/jobs/" + job + ".yaml", "--stop-timeout", "300s");
        }
        assertSecretsOnlyReferenced(objects);

        // the job files say workers: remote, with the chart's shared spool unless the job names its own
        ConfigMap jobs = ofKind(objects, ConfigMap.class).get(0);
        JobDefinition big = new JobDefinitionLoader().parse(jobs.getData().get("big-events.yaml"));
        assertThat(big.export().remoteWorkers()).isTrue();
        assertThat(big.export().spoolUri()).hasToString("s3://bucket/_spool");
        JobDefinition small = new JobDefinitionLoader().parse(jobs.getData().get("small-events.yaml"));
        assertThat(small.export().remoteWorkers()).isTrue();
        assertThat(small.export().spoolUri()).hasToString("gs://other/_spool");

        // the CronJobs as the manager, and no shared spool at all: refused
        Path cron = Files.writeString(tmp.resolve("cron.yaml"), "workers: {manager: cronjob, spoolUri: 's3://b/_spool/'}\n");
        List<HasMetadata> withCronJobs = template(CHART + "/ci/workers-values.yaml", cron.toString());
        assertThat(ofKind(withCronJobs, CronJob.class)).hasSize(2);
        assertThat(ofKind(withCronJobs, Deployment.class)).hasSize(2).allSatisfy(d -> assertThat(d.getMetadata().getName()).contains("-worker-"));
        Path noSpool = Files.writeString(tmp.resolve("nospool.yaml"), "workers: {spoolUri: ''}\njobs: [{name: a, schedule: '* * * * *', "
                + "job: {mixpanel: {projectId: '1'}, export: {startDate: -1d}, destination: {uri: 's3://b/x'}}}]\n");
        assertThat(Helm.helm("template", "rel", CHART, "-f", CHART + "/ci/workers-values.yaml", "-f", noSpool.toString()).output())
                .contains("workers.spoolUri (or each job's export.spoolUri) is required with mode: workers");
    }

    @Test
    void theSpoolCanBeAnExistingPersistentVolumeClaim() throws Exception {
        Path values = Files.writeString(tmp.resolve("pvc.yaml"), "spool: {existingClaim: spool-pvc}\n");
        List<CronJob> cronJobs = ofKind(template(CHART + "/ci/cronjob-values.yaml", values.toString()), CronJob.class);
        assertThat(cronJobs).isNotEmpty().allSatisfy(c -> assertThat(c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec()
                .getVolumes()).filteredOn(v -> v.getName().equals("spool")).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("spool-pvc")));
    }

    @Test
    void theSchemaRejectsBadValues() throws Exception {
        for (Map.Entry<String, String> bad : Map.of(
                "mode: cron\n", "mode",
                "jobs: [{name: Acme_Events, schedule: '* * * * *', job: {mixpanel: {projectId: '1'}, export: {startDate: -1d}, destination: {uri: x}}}]\n", "name",
                "jobs: [{name: a, schedule: 'hourly', job: {mixpanel: {projectId: '1'}, export: {startDate: -1d}, destination: {uri: x}}}]\n", "schedule",
                "database: {url: 'jdbc:mysql://db/x', existingSecret: s}\n", "url",
                "secrets: {password: hunter2}\n", "password",
                "image: {repository: x, tag: y, pullPolicy: Sometimes}\n", "pullPolicy",
                "workers: {manager: workers}\n", "manager",
                "workers: {spoolUri: 'file:///spool'}\n", "spoolUri").entrySet()) {
            Path values = Files.writeString(tmp.resolve("bad.yaml"), bad.getKey());
            Helm.Result r = Helm.helm("template", "rel", CHART, "-f", values.toString());
            assertThat(r.code()).as(bad.getKey()).isNotZero();
            assertThat(r.output()).as(bad.getKey()).contains("values don't meet the specifications of the schema").contains(bad.getValue());
        }
        Path noDatabase = Files.writeString(tmp.resolve("nodb.yaml"),
                "jobs: [{name: a, schedule: '* * * * *', job: {mixpanel: {projectId: '1'}, export: {startDate: -1d}, destination: {uri: x}}}]\n");
        assertThat(Helm.helm("template", "rel", CHART, "-f", noDatabase.toString()).output()).contains("database.url is required");
    }

    private List<HasMetadata> template(String... valuesFiles) throws Exception {
        List<String> args = new ArrayList<>(List.of("template", "rel", CHART));
        for (String f : valuesFiles) {
            args.add("-f");
            args.add(f);
        }
        Helm.Result r = Helm.helm(args.toArray(String[]::new));
        assertThat(r.code()).as(r.output()).isZero();
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : r.output().split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            HasMetadata o = Serialization.unmarshal(doc);
            if (!(o instanceof GenericKubernetesResource)) {
                assertNoUnknownFields(o, o.getKind(), new IdentityHashMap<>());
            }
            objects.add(o);
        }
        return objects;
    }

    /** The model keeps fields it does not know in additionalProperties: any there is a misspelt field. */
    private static void assertNoUnknownFields(Object o, String path, IdentityHashMap<Object, Boolean> seen) throws Exception {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            for (Object e : c) {
                assertNoUnknownFields(e, path + "[]", seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                assertNoUnknownFields(e.getValue(), path + "." + e.getKey(), seen);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v = m.invoke(o);
            if (m.getName().equals("getAdditionalProperties")) {
                assertThat((Map<?, ?>) v).as("unknown fields at " + path).isNullOrEmpty();
            } else {
                assertNoUnknownFields(v, path + "." + m.getName().substring(3), seen);
            }
        }
    }

    private static void assertHardened(PodSpec pod) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        Container c = pod.getContainers().get(0);
        assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("spool")).singleElement()
                .satisfies(v -> assertThat(v.getEmptyDir().getSizeLimit()).isNotNull());
        assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/spool"));
        // with a read-only root, every path the tool writes is a volume: spool, /tmp and the working folder
        assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath())
                .contains("/spool", "/tmp", "/var/lib/mixpanel-pipelines");
        for (String name : List.of("tmp", "work")) {
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(name)).singleElement()
                    .satisfies(v -> assertThat(v.getEmptyDir().getSizeLimit()).isNotNull());
        }
    }

    private static void assertSecretsOnlyReferenced(List<HasMetadata> objects) {
        assertThat(objects).noneMatch(o -> o.getKind().equals("Secret"));
        List<Container> containers = new ArrayList<>();
        ofKind(objects, CronJob.class).forEach(c -> containers.addAll(c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers()));
        ofKind(objects, Deployment.class).forEach(d -> containers.addAll(d.getSpec().getTemplate().getSpec().getContainers()));
        assertThat(containers).isNotEmpty();
        for (Container c : containers) {
            assertThat(c.getEnvFrom()).singleElement().satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("mixpanel-credentials"));
            for (EnvVar e : c.getEnv()) {
                if (e.getName().contains("PASSWORD") || e.getName().contains("USERNAME")) {
                    assertThat(e.getValue()).as(e.getName()).isNull();
                    assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("pipelines-db");
                }
            }
        }
    }

    private static <T> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
