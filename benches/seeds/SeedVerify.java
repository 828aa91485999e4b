// Seed 004's verification (javax.crypto.Mac), timed in-process: the body
// as a String re-encoded to UTF-8, HMAC-SHA256, hex by Integer.toHexString,
// MessageDigest.isEqual, and the millisecond timestamp check. Prints
// "java <size> <ns>", the median of 7 rounds of ns per verification.
// Run: java benches/seeds/SeedVerify.java
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class SeedVerify {
    static final String SECRET = "benchmark-shared-secret-0123456789";

    static String bytesToHex(byte[] bytes) {
        StringBuilder hexString = new StringBuilder();
        for (byte b : bytes) {
            String hex = Integer.toHexString(0xff & b);
            if (hex.length() == 1) hexString.append('0');
            hexString.append(hex);
        }
        return hexString.toString();
    }

    static boolean verify(String rawBody, String signature, String timestamp) throws Exception {
        Mac sha256Hmac = Mac.getInstance("HmacSHA256");
        SecretKeySpec keySpec = new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        sha256Hmac.init(keySpec);
        byte[] expectedBytes = sha256Hmac.doFinal(rawBody.getBytes(StandardCharsets.UTF_8));
        String expectedHex = bytesToHex(expectedBytes);
        boolean signatureMatches = MessageDigest.isEqual(expectedHex.getBytes(StandardCharsets.UTF_8),
                signature.getBytes(StandardCharsets.UTF_8));
        long drift = Math.abs(System.currentTimeMillis() - Long.parseLong(timestamp));
        return signatureMatches && drift <= 300_000;
    }

    public static void main(String[] args) throws Exception {
        for (int size : new int[] {1024, 16384}) {
            String body = "x".repeat(size);
            String timestamp = Long.toString(System.currentTimeMillis());
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = bytesToHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
            int iterations = size <= 1024 ? 200_000 : 40_000;
            for (int i = 0; i < iterations; i++) verify(body, signature, timestamp); // JIT warm-up
            double[] rounds = new double[7];
            for (int round = 0; round < 7; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    if (!verify(body, signature, timestamp)) throw new IllegalStateException("verification failed");
                }
                rounds[round] = (System.nanoTime() - start) / (double) iterations;
            }
            Arrays.sort(rounds);
            System.out.printf("java %d %.0f%n", size, rounds[3]);
        }
    }
}
