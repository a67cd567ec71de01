package io.sandboxops.core.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.VolumeOptions;
import io.sandboxops.core.api.SandboxException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine shell's executable-only copies ({@link DockerShellHost#ENGINE_DIR}) made once per image and engine, in a
 * named volume every sandbox of that image mounts read-only, instead of by a root exec in each new sandbox: a create
 * then runs no process beside the container's own, and the copies are there before its first shell starts.
 *
 * <p>The volume is filled by a short-lived container of the same image (root without capabilities, no network), so the
 * copies are the image's own bash and setsid: root's files, mode 0111, in root's directory, mode 0711, as the exec
 * install made them. Mounted read-only, no sandbox can change what another runs. A second, empty volume
 * ({@code …-ready}) is made only once the first is complete: its existence is what other clients check.
 */
final class EngineShellVolumes {
    private static final Logger log = LoggerFactory.getLogger(EngineShellVolumes.class);
    private static final String PREFIX = "sandboxops-engine-";
    /** Fixed text, run as the copier's root: each copy appears only whole (rename); then the directory is closed to listing. */
    private static final String FILL = "for p in bash setsid; do [ -x \"$1/$p\" ] && continue; b=$(command -v $p) && cp \"$b\" \"$1/.$p.$$\" "
            + "&& chmod 0111 \"$1/.$p.$$\" && mv -f \"$1/.$p.$$\" \"$1/$p\" || exit; done; chmod 0711 \"$1\"";
    private static final String FILL_AT = "/engine";

    private final DockerClient docker;
    /** Volumes known complete in this process. */
    private final Set<String> ready = ConcurrentHashMap.newKeySet();

    EngineShellVolumes(DockerClient docker) {
        this.docker = docker;
    }

    /**
     * The mount of the copies for {@code image}, made first when the engine has none; empty when they cannot be made
     * (the caller installs them by exec, as before).
     */
    Optional<Mount> mountFor(String image) {
        String volume;
        try {
            volume = PREFIX + docker.inspectImageCmd(image).exec().getId().replace("sha256:", "").substring(0, 32);
        } catch (NotFoundException e) {
            return Optional.empty(); // the create that follows says the image is missing
        } catch (RuntimeException e) {
            log.debug("image {}: {}", image, e.toString());
            return Optional.empty();
        }
        try {
            if (!ready.contains(volume)) {
                if (!exists(volume + "-ready")) {
                    fill(image, volume);
                    docker.createVolumeCmd().withName(volume + "-ready").withLabels(Map.of(DockerSandboxBackend.LABEL_APP, DockerSandboxBackend.APP)).exec();
                }
                ready.add(volume);
            }
            return Optional.of(new Mount().withType(MountType.VOLUME).withSource(volume).withTarget(DockerShellHost.ENGINE_DIR).withReadOnly(true)
                    .withVolumeOptions(new VolumeOptions().withNoCopy(true)));
        } catch (RuntimeException e) {
            log.warn("could not make the engine shell's copies for image {} in volume {} ({}); each sandbox installs its own",
                    image, volume, SandboxException.rootMessage(e));
            return Optional.empty();
        }
    }

    private boolean exists(String volume) {
        try {
            docker.inspectVolumeCmd(volume).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private void fill(String image, String volume) {
        docker.createVolumeCmd().withName(volume).withLabels(Map.of(DockerSandboxBackend.LABEL_APP, DockerSandboxBackend.APP)).exec();
        String copier = docker.createContainerCmd(image)
                .withUser("0:0")
                .withCmd("sh", "-c", FILL, "sbx-engine", FILL_AT)
                .withLabels(Map.of(DockerSandboxBackend.LABEL_APP, "sandbox-ops-engine-copier"))
                .withHostConfig(HostConfig.newHostConfig()
                        .withNetworkMode("none")
                        .withCapDrop(Capability.ALL)
                        .withSecurityOpts(List.of("no-new-privileges"))
                        .withMounts(List.of(new Mount().withType(MountType.VOLUME).withSource(volume).withTarget(FILL_AT)
                                .withVolumeOptions(new VolumeOptions().withNoCopy(true)))))
                .exec().getId();
        try {
            docker.startContainerCmd(copier).exec();
            Integer code = docker.waitContainerCmd(copier).exec(new WaitContainerResultCallback()).awaitStatusCode(60, TimeUnit.SECONDS);
            if (code == null || code != 0) {
                throw new SandboxException("copying bash and setsid into the volume ended with " + code);
            }
        } finally {
            try {
                docker.removeContainerCmd(copier).withForce(true).exec();
            } catch (RuntimeException e) {
                log.debug("removing the engine shell's copier {}: {}", copier, e.toString());
            }
        }
    }
}
