import { mountApp } from './mount';

mountApp();
