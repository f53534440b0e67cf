/**
 * Links from strangers (issues 12 and 15): a link naming a remote model asks first and requests nothing
 * before the click; a hostile link is refused whole, with messages and nothing injected; a user's own image
 * travels embedded and opens; a link with thousands of problems gives a banner of three lines and "and N
 * more".
 */
import { dropFiles, expect, newAppPage, openApp, snapshot, test, waitForView } from './fixtures';

test.describe.configure({ mode: 'serial' });

test('a link naming a remote model shows its host and fetches nothing before the click', async ({
  browser,
  backend,
}) => {
  const { page, dialogs } = await newAppPage(browser);
  const requested: string[] = [];
  // Everything outside the app is recorded, and the model's server answers 404.
  await page.context().route(/^https?:\/\/(?!127\.0\.0\.1:)/, (route) => {
    requested.push(route.request().url());
    return route.fulfill({ status: 404, body: 'no such model' });
  });
  const fragment = 'v=1&model=https://models.example.test/zoo/resnet.onnx&img=demo:coffee&view=positive';
  let view = await openApp(page, backend, fragment);
  const confirm = page.getByTestId('link-confirm');
  await expect(confirm).toBeVisible();
  await expect(page.getByTestId('link-confirm-model')).toContainText('models.example.test');
  await expect(page.getByTestId('link-confirm-model')).toContainText('/zoo/resnet.onnx');
  // Meanwhile the default view is shown, and the address keeps the link.
  expect(view.image).toBe('demo:chelsea');
  expect(view.kind).toBe('net');
  expect(new URL(page.url()).hash).toBe(`#${fragment}`);
  await page.waitForTimeout(1000);
  expect(requested).toEqual([]);

  await page.getByTestId('link-confirm-load').click();
  await expect.poll(() => requested).toEqual(['https://models.example.test/zoo/resnet.onnx']);
  await expect(confirm).toBeHidden();
  view = await waitForView(page, view.main!.key);
  // The model failed (404) and the working one stayed; the rest of the link applied.
  expect(view.image).toBe('demo:coffee');
  expect(view.kind).toBe('positive');
  expect(view.errors.join('\n')).toMatch(/models\.example\.test.*HTTP 404/);
  expect(dialogs).toEqual([]);
  await page.context().close();
});

test('a link naming a private address is refused without a request or a question', async ({
  browser,
  backend,
}) => {
  const { page } = await newAppPage(browser);
  const requested: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1:')) requested.push(r.url());
  });
  const view = await openApp(
    page,
    backend,
    'model=https://169.254.169.254/latest&img=https://10.0.0.1/x.png',
  );
  await expect(page.getByTestId('link-confirm')).toHaveCount(0);
  expect(view.errors).toEqual([
    'The link was refused: nothing of it was applied.',
    expect.stringMatching(/^Link: model .* names a link-local address\.$/),
    expect.stringMatching(/^Link: img .* names a private address\.$/),
  ]);
  expect(requested).toEqual([]);
  await page.context().close();
});

test('a hostile link is refused whole with messages; nothing is injected or executed', async ({
  browser,
  backend,
}) => {
  const { page, dialogs } = await newAppPage(browser);
  const fragment = new URLSearchParams({
    model: 'javascript:alert(1)',
    img: 'demo:../../etc/passwd',
    layer: '<img src=x onerror=alert(1)>',
    view: '"><script>alert(2)</script>',
    opacity: '2',
    onload: 'alert(3)',
    imgdata: 'constructor.AAAA',
  }).toString();
  const shown = await openApp(page, backend, fragment);
  const banner = page.getByTestId('error-banner');
  const messages = (await banner.locator('li').allTextContents()).join('\n');
  expect(messages).toMatch(/The link was refused/);
  expect(messages).toMatch(/model .*javascript:alert\(1\).* must be an https: address/);
  expect(messages).toMatch(/unknown parameter "onload"/);
  // Nothing of it applied: the default layer and view.
  expect([shown.layer, shown.kind, shown.image]).toEqual([shown.layers[0], 'net', 'demo:chelsea']);
  expect(await page.locator('img[src="x"], script:not([src]):not([type])').count()).toBe(0);
  expect(dialogs).toEqual([]);
  await page.context().close();
});

test('a link with 5,000 unknown keys gives three lines and "and N more", the rest in a details element', async ({
  browser,
  backend,
}) => {
  const { page } = await newAppPage(browser);
  // Under the fragment limit (64,000 characters); the first keys carry a terminal-title escape.
  const keys = Array.from({ length: 5000 }, (_, i) => (i < 5 ? `%1B%5D0%3Bx${i}%07=1` : `k${i}=1`)).join('&');
  expect(keys.length).toBeLessThan(64_000);
  const shown = await openApp(page, backend, keys);
  const banner = page.getByTestId('error-banner');
  await expect(banner.locator(':scope > ul > li')).toHaveCount(3);
  const more = page.getByTestId('error-banner-more');
  await expect(more.locator('summary')).toHaveText(`and ${shown.errors.length - 3} more`);
  await expect(more.locator('li').last()).toBeHidden();
  await more.locator('summary').click();
  await expect(more.locator('li').last()).toContainText('and 4980 more problems');
  const text = (await banner.textContent()) ?? '';
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
  expect(shown.image).toBe('demo:chelsea');
  await page.context().close();
});

test("a user's own image travels embedded in the link and opens elsewhere", async ({ browser, backend }) => {
  test.setTimeout(600_000);
  const { page } = await newAppPage(browser);
  const view = await openApp(page, backend);
  await dropFiles(page, [{ name: 'my coffee.png', type: 'image/png', url: 'demo/coffee.png' }]);
  await waitForView(page, view.main!.key);
  await page.getByTestId('copy-link').click();
  await expect(page.locator('.share-export .hint')).toContainText(/travels in the link/);
  const link = new URL(await page.getByTestId('share-url').inputValue());
  expect(link.hash).toMatch(/img=embed&imgdata=webp\.[A-Za-z0-9_-]+&imgname=my\+coffee\.png&/);
  const here = await snapshot(page);
  // The sender keeps their own image, by name, in the strip: the copy the view switched to stands behind it.
  await expect(page.locator('.image-strip button')).toHaveCount(2);
  await expect(page.locator('.image-strip button[aria-pressed="true"]')).toHaveAttribute(
    'title',
    'my coffee.png',
  );
  await expect(page.locator('.crop-editor figcaption')).not.toContainText('link copy');
  const { page: other } = await newAppPage(browser);
  const there = await openApp(other, backend, link.hash);
  expect([there.image, there.target, there.errors]).toEqual(['embedded', here.target, []]);
  // Where the link opens the image keeps its file name, and says it is the link's copy.
  await expect(other.locator('.crop-editor figcaption')).toContainText('my coffee.png');
  await expect(other.locator('.crop-editor figcaption')).toContainText('link copy');
  await other.context().close();
  await page.context().close();
});
